package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/notify"
	"github.com/provisio-dev/provisio/internal/notify/mailer"
	"github.com/provisio-dev/provisio/internal/notify/smtptest"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// TestNotifierWired: a job event reaches the SMTP server of --smtp-url and
// the job's webhook, signed with the secret the job service keeps
// encrypted, while Run runs the notifier.
func TestNotifierWired(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s, err := mailer.Parse("smtp://" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.SMTP, cfg.SMTPFrom = &s, "provisio@example.com"
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })

	posts := make(chan string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get(notify.SignatureHeader) == notify.Sign([]byte("hook-secret"), b) {
			posts <- string(b)
		}
	}))
	t.Cleanup(hook.Close)
	target := httptest.NewServer(http.NotFoundHandler()) // no /Schemas
	t.Cleanup(target.Close)
	webhook := hook.URL
	j, err := a.jobs.Configure(t.Context(), "app-x", jobs.Config{TenantURL: target.URL, SecretToken: "tok",
		WebhookURL: &webhook, WebhookSecret: "hook-secret"})
	if err != nil {
		t.Fatal(err)
	}
	a.notify.JobEvent(jobs.JobEvent{Kind: jobs.EventQuarantined, JobID: j.ID, AppID: "app-x", AppName: "App X",
		NotificationEmail: "ops@example.com", Reason: "credentials refused", At: time.Now()})
	select {
	case b := <-posts:
		if !strings.Contains(b, `"kind":"quarantined"`) || !strings.Contains(b, `"appId":"app-x"`) {
			t.Errorf("webhook body = %s, want the quarantined event of app-x", b)
		}
	case <-time.After(10 * time.Second):
		t.Error("the job's webhook received no signed POST")
	}
	if got := srv.Wait(1, 10*time.Second); len(got) != 1 || got[0].To[0] != "ops@example.com" || got[0].From != "provisio@example.com" {
		t.Errorf("SMTP server received %+v, want one message from provisio@example.com to ops@example.com", got)
	}
}
