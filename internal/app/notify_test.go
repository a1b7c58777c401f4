package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/notify"
	"github.com/provisio-dev/provisio/internal/notify/mailer"
	"github.com/provisio-dev/provisio/internal/notify/smtptest"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// TestNotifierWired: a job event reaches the SMTP server of --smtp-url and
// the job's webhook, signed with the secret the job service keeps
// encrypted, while Run runs the notifier.
func TestNotifierWired(t *testing.T) {
	srv, a := runWithSMTP(t)

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

// TestQuarantineEmailEndToEnd: a job whose application refuses its token
// enters quarantine in a real cycle, and the job's notification address
// gets one email naming the application by name and the reason; when the
// token works again a cycle ends the quarantine and a second email says so.
func TestQuarantineEmailEndToEnd(t *testing.T) {
	srv, a := runWithSMTP(t)

	var refuse atomic.Bool
	refuse.Store(true)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users"):
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"ada@example.com"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(target.Close)

	app, err := a.dir.CreateApp(t.Context(), "Uni-tel Portal")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.CreateUser(t.Context(), directory.User{UserPrincipalName: "ada@example.com", AccountEnabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.AssignUser(t.Context(), app.ID, "ada@example.com", ""); err != nil {
		t.Fatal(err)
	}
	email := "ops@example.com"
	if _, err := a.jobs.Configure(t.Context(), app.ID, jobs.Config{TenantURL: target.URL, SecretToken: "tok", NotificationEmail: &email}); err != nil {
		t.Fatal(err)
	}
	a.jobs.Run(t.Context(), app.ID) // fails: the token is refused
	st, err := a.jobs.Status(t.Context(), app.ID)
	if err != nil || st.Quarantine == nil {
		t.Fatalf("Status after a refused cycle = %+v, %v; want quarantined", st, err)
	}
	got := srv.Wait(1, 10*time.Second)
	if len(got) != 1 || got[0].To[0] != email {
		t.Fatalf("SMTP server received %d messages %+v, want one to %s", len(got), got, email)
	}
	if subject, body := readMail(t, got[0].Data); !strings.Contains(subject, "Provisioning of Uni-tel Portal is in quarantine") || !strings.Contains(body, "credentials refused") {
		t.Errorf("quarantine email: subject %q, body\n%s\nwant the subject naming Uni-tel Portal and the reason in the body", subject, body)
	}

	refuse.Store(false)
	if _, err := a.jobs.Run(t.Context(), app.ID); err != nil {
		t.Fatalf("Run with the token accepted = %v", err)
	}
	if st, _ := a.jobs.Status(t.Context(), app.ID); st.Quarantine != nil {
		t.Errorf("Status after a good cycle: quarantine %+v, want none", st.Quarantine)
	}
	got = srv.Wait(2, 10*time.Second)
	if len(got) != 2 {
		t.Fatalf("SMTP server received %d messages, want a second one", len(got))
	}
	if subject, _ := readMail(t, got[1].Data); !strings.Contains(subject, "Uni-tel Portal") || !strings.Contains(strings.ToLower(subject), "recovered") {
		t.Errorf("second email's subject = %q, want it to say Uni-tel Portal recovered", subject)
	}
}

// readMail parses a received message: its subject and decoded body.
func readMail(t *testing.T, data []byte) (subject, body string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v", err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return m.Header.Get("Subject"), string(b)
}

// runWithSMTP runs a server whose --smtp-url is a test SMTP server, from
// provisio@example.com, until the test ends.
func runWithSMTP(t *testing.T) (*smtptest.Server, *App) {
	t.Helper()
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
	return srv, a
}
