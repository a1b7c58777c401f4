package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/config"
)

func testConfig(t *testing.T) config.Serve {
	return config.Serve{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxBody: 1 << 20}
}

// get sends a GET with an optional bearer token and returns the status.
func get(t *testing.T, url, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestRunServesAndStops: New writes the admin token file, Run serves
// /healthz, the admin API and the SCIM mount, and returns nil once its
// context ends.
func TestRunServesAndStops(t *testing.T) {
	cfg := testConfig(t)
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	fi, err := os.Stat(cfg.AdminTokenPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin token file = %v, %v; want mode 0600", fi, err)
	}
	tok, _ := os.ReadFile(cfg.AdminTokenPath())
	for _, tc := range []struct {
		name, path, token string
		want              int
	}{
		{"healthz", "/healthz", "", http.StatusOK},
		{"admin api with the token", "/api/v1/tenants", strings.TrimSpace(string(tok)), http.StatusOK},
		{"admin api without a token", "/api/v1/tenants", "", http.StatusUnauthorized},
		{"directory api", "/api/v1/users", strings.TrimSpace(string(tok)), http.StatusOK},
		{"unknown scim tenant", "/scim/nosuchtenant/v2/Users", "pvt_x", http.StatusNotFound},
	} {
		if got := get(t, a.BaseURL()+tc.path, tc.token); got != tc.want {
			t.Errorf("%s: GET %s = %d, want %d", tc.name, tc.path, got, tc.want)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run() after its context ended = %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run() did not return within 30s of its context ending")
	}
	if err := a.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
}

// TestNewFailures: New reports what failed.
func TestNewFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		modify func(*config.Serve)
		want   string
	}{
		{"address in use", func(c *config.Serve) { c.Addr = busy.Addr().String() }, "listen"},
		{"data dir is a file", func(c *config.Serve) { c.DataDir = file }, "create data directory"},
		{"bad secret key", func(c *config.Serve) { c.SecretKey = "bm90IGEga2V5" }, "secret key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			tt.modify(&cfg)
			a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
			if err == nil {
				a.Close()
				t.Fatalf("New() error = nil, want one about %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want one about %q", err, tt.want)
			}
		})
	}
}
