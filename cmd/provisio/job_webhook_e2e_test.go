package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestJobWebhookCLI sets, shows and removes a job's webhook through the
// CLI; the secret is read from a file and never shown.
func TestJobWebhookCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal tenant")
	var out map[string]any
	s.cliJSON(t, &out, "app", "create", "Portal")
	dir := t.TempDir()
	tokenFile, secretFile := filepath.Join(dir, "token"), filepath.Join(dir, "hook")
	const secret = "hook-S3cret-MARKER"
	for f, v := range map[string]string{tokenFile: ten.Token, secretFile: secret + "\n"} {
		if err := os.WriteFile(f, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.cliJSON(t, &out, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile)
	tests := []struct {
		name    string
		args    []string
		wantURL string
		wantSet bool
		wantRow string // in job get's table
		errHas  string
	}{
		{name: "url without secret", args: []string{"--webhook-url", "https://hooks.example.com/p"}, errHas: "webhook secret"},
		{name: "missing secret file", args: []string{"--webhook-secret-file", tokenFile + ".missing"}, errHas: "--webhook-secret-file"},
		{name: "set", args: []string{"--webhook-url", "https://hooks.example.com/p", "--webhook-secret-file", secretFile},
			wantURL: "https://hooks.example.com/p", wantSet: true, wantRow: "set (hidden)"},
		{name: "removed", args: []string{"--webhook-url", ""}, wantRow: "not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, err := s.cliIn(t, nil, append([]string{"job", "configure", "Portal"}, tc.args...)...)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Errorf("job configure %v = %v, want an error naming %q", tc.args, err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("job configure %v: %v", tc.args, err)
			}
			var j apitypes.Job
			s.cliJSON(t, &j, "job", "get", "Portal")
			table, err := s.cliIn(t, nil, "job", "get", "Portal")
			if err != nil || j.WebhookURL != tc.wantURL || j.WebhookSecretSet != tc.wantSet || !strings.Contains(table, tc.wantRow) {
				t.Errorf("job get after %v = url %q secret set %v, table %q, %v; want %q, %v, a row %q", tc.args, j.WebhookURL, j.WebhookSecretSet, table, err, tc.wantURL, tc.wantSet, tc.wantRow)
			}
			if strings.Contains(stdout+table, secret) {
				t.Errorf("job configure/get show the webhook secret:\n%s%s", stdout, table)
			}
		})
	}
}
