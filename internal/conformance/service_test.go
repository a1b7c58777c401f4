package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/app"
	"github.com/provisio-dev/provisio/internal/config"
)

// suitePath returns the path of a third-party suite file, which lives in
// ../shared/suites beside the repository root and is never copied into
// the repository. A missing suite fails the test: it is never skipped.
func suitePath(t *testing.T, rel string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "..", "shared", "suites", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("conformance suite missing (expected beside the repository in ../shared/suites): %v", err)
	}
	return p
}

// repoRoot walks up from the working directory to the directory holding
// go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod) not found above the working directory")
		}
		dir = parent
	}
}

// service is Provisio's whole server (internal/app, as `provisio serve`
// runs it), running in-process on 127.0.0.1:0.
type service struct {
	base       string
	adminToken string
	client     *http.Client
}

// startService runs the server over db (a PostgreSQL URL, or "" for
// SQLite in a fresh data directory) until the test ends.
func startService(t testing.TB, db string) *service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := config.Serve{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DB: db, MaxBody: 1 << 20}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start service: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("service stopped with %v", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("close service: %v", err)
		}
	})
	tok, err := os.ReadFile(cfg.AdminTokenPath())
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	return &service{
		base:       a.BaseURL(),
		adminToken: strings.TrimSpace(string(tok)),
		client:     &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}},
	}
}

// testTenant is a tenant of the running service and a client for it.
type testTenant struct {
	url    string // the Tenant URL (SCIM base)
	token  string
	client *http.Client
}

// createTenant makes a fresh tenant through the admin API, as an
// administrator does, with a policy preset ("entra", "okta", ...).
func (s *service) createTenant(t testing.TB, name, policy string) *testTenant {
	t.Helper()
	body, err := json.Marshal(map[string]string{"name": name, "policy": policy})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.base+"/api/v1/tenants", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	defer resp.Body.Close()
	var created struct {
		TenantURL string `json:"tenant_url"`
		Token     string `json:"token"`
	}
	raw, err := io.ReadAll(resp.Body)
	if err == nil {
		err = json.Unmarshal(raw, &created)
	}
	if resp.StatusCode != http.StatusCreated || err != nil || created.TenantURL == "" || created.Token == "" {
		t.Fatalf("POST /api/v1/tenants = %d %s (%v), want 201 with tenant_url and token", resp.StatusCode, raw, err)
	}
	return &testTenant{url: created.TenantURL, token: created.Token, client: s.client}
}

// do sends one authenticated SCIM request to the tenant.
func (ten *testTenant) do(t testing.TB, method, path, body string) *Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ten.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ten.token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := ten.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
