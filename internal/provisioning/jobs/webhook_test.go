package jobs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

const hookKey = "hook-K3y-MARKER-51c0"

func TestConfigureWebhook(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	url, none, plain := "https://hooks.example.com/provisio", "", "http://hooks.example.com/x"
	steps := []struct {
		name    string
		c       jobs.Config
		wantURL string
		wantSet bool
		wantErr string // part of an ErrInvalid message
		warning string // part of a warning
	}{
		{name: "url without secret", c: jobs.Config{WebhookURL: &url}, wantErr: "needs a webhook secret"},
		{name: "secret without url", c: jobs.Config{WebhookSecret: hookKey}, wantErr: "needs a webhook url"},
		{name: "empty url with secret", c: jobs.Config{WebhookURL: &none, WebhookSecret: "x"}, wantErr: "needs a webhook url"},
		{name: "ftp url", c: jobs.Config{WebhookURL: new("ftp://hooks.example.com"), WebhookSecret: "x"}, wantErr: "webhook url"},
		{name: "credentials in url", c: jobs.Config{WebhookURL: new("https://u:p@hooks.example.com"), WebhookSecret: "x"}, wantErr: "credentials"},
		{name: "set", c: jobs.Config{WebhookURL: &url, WebhookSecret: hookKey}, wantURL: url, wantSet: true},
		{name: "other setting keeps it", c: jobs.Config{Interval: jobs.MinInterval}, wantURL: url, wantSet: true},
		{name: "new url keeps the secret", c: jobs.Config{WebhookURL: &plain}, wantURL: plain, wantSet: true, warning: "webhook url is plain http"},
		{name: "removed", c: jobs.Config{WebhookURL: &none}},
	}
	for _, st := range steps {
		j, err := e.svc.Configure(ctx, appID, st.c)
		if st.wantErr != "" {
			if !errors.Is(err, jobs.ErrInvalid) || !strings.Contains(err.Error(), st.wantErr) {
				t.Errorf("%s: Configure = %v, want ErrInvalid with %q", st.name, err, st.wantErr)
			}
			continue
		}
		if err != nil || j.WebhookURL != st.wantURL || j.WebhookSecretSet != st.wantSet {
			t.Errorf("%s: Configure = url %q secret set %v, %v; want %q, %v", st.name, j.WebhookURL, j.WebhookSecretSet, err, st.wantURL, st.wantSet)
		}
		if got := strings.Join(j.Warnings, "\n"); (st.warning == "") != !strings.Contains(got, "webhook") || !strings.Contains(got, st.warning) {
			t.Errorf("%s: Configure warnings = %q, want %q", st.name, got, st.warning)
		}
		hook, err := e.svc.Webhook(ctx, appID)
		wantKey := map[bool]string{true: hookKey}[st.wantSet]
		if err != nil || hook.URL != st.wantURL || string(hook.Secret) != wantKey {
			t.Errorf("%s: Webhook = %q %q, %v; want %q %q", st.name, hook.URL, hook.Secret, err, st.wantURL, wantKey)
		}
	}
	if _, err := e.svc.Webhook(ctx, "no-such-app"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Webhook(no job) = %v, want ErrNotFound", err)
	}
}

// TestWebhookSecretEncryptedAtRest reads the SQLite files byte for byte.
func TestWebhookSecretEncryptedAtRest(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{WebhookURL: new("https://hooks.example.com/p"), WebhookSecret: hookKey})
	e.svc.Close()
	files, _ := filepath.Glob(e.dbPath + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), hookKey) {
			t.Errorf("%s contains the webhook secret in clear", filepath.Base(f))
		}
	}
	if len(files) == 0 {
		t.Fatal("no database files")
	}
}
