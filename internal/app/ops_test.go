package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
)

// TestDataDirPrivate: New tightens an existing data directory to 0700,
// and the SQLite database it creates there is 0600.
func TestDataDirPrivate(t *testing.T) {
	cfg := testConfig(t)
	cfg.DataDir = filepath.Join(cfg.DataDir, "data")
	if err := os.Mkdir(cfg.DataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg.DataDir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	defer a.Close()
	for _, tc := range []struct {
		name, path string
		want       os.FileMode
	}{
		{"data directory", cfg.DataDir, 0o700},
		{"database", filepath.Join(cfg.DataDir, config.DBFileName), 0o600},
		{"admin token", cfg.AdminTokenPath(), 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tc.want {
			t.Errorf("%s: mode = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestAdminTokenFileBeforeToken: serve writes admin.token before the
// token counts, so a file that cannot be written leaves no valid admin
// token that nobody has, and the next start makes one that works.
func TestAdminTokenFileBeforeToken(t *testing.T) {
	cfg := testConfig(t)
	// A directory where the file should go: writing it fails even as root.
	if err := os.Mkdir(cfg.AdminTokenPath(), 0o700); err != nil {
		t.Fatal(err)
	}
	if a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "write admin token") {
		if a != nil {
			a.Close()
		}
		t.Fatalf("New() with an unwritable admin.token = %v, want an error about writing it", err)
	}
	st, err := sqlstore.Open(t.Context(), cfg.DSN(), nil)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := st.ListAdminTokens(t.Context())
	st.Close()
	if err != nil || len(toks) != 0 {
		t.Fatalf("admin tokens after the failed start = %+v, %v; want none", toks, err)
	}

	if err := os.Remove(cfg.AdminTokenPath()); err != nil {
		t.Fatal(err)
	}
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New() once admin.token can be written = %v", err)
	}
	defer a.Close()
	tok, err := os.ReadFile(cfg.AdminTokenPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.tenants.AuthenticateAdmin(t.Context(), strings.TrimSpace(string(tok))); err != nil {
		t.Errorf("AuthenticateAdmin(token in admin.token) = %v, want nil", err)
	}
}

// serveApp runs an App on 127.0.0.1:0 until the test ends and returns it
// with its admin token.
func serveApp(t *testing.T, cfg config.Serve) (*App, string) {
	t.Helper()
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	tok, err := os.ReadFile(cfg.AdminTokenPath())
	if err != nil {
		t.Fatal(err)
	}
	return a, strings.TrimSpace(string(tok))
}

// rawConn is one client connection to the server, speaking HTTP/1.1 by
// hand.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, a *App) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(a.BaseURL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{c, bufio.NewReader(c)}
}

// get sends GET path and reads the answer, waiting at most wait.
func (c *rawConn) get(path string, wait time.Duration) (int, error) {
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: provisio\r\n\r\n", path); err != nil {
		return 0, err
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// TestSlowBodyCutOff: a client that sends a request's headers and one
// byte of its body is disconnected after the read timeout instead of
// holding the connection for ever.
func TestSlowBodyCutOff(t *testing.T) {
	cfg := testConfig(t)
	cfg.ReadTimeout = 300 * time.Millisecond
	a, admin := serveApp(t, cfg)
	start := time.Now() // before the server starts its read deadline
	c := dial(t, a)
	fmt.Fprintf(c, "POST /api/v1/tenants HTTP/1.1\r\nHost: provisio\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", admin)
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err := io.Copy(io.Discard, c.r) // whatever the server answers, then EOF
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("a client sending one body byte still holds its connection after %v (read timeout %v)", time.Since(start), cfg.ReadTimeout)
	}
	if took := time.Since(start); took < cfg.ReadTimeout {
		t.Errorf("the connection closed after %v, before the read timeout %v", took, cfg.ReadTimeout)
	}
}

// TestMaxConns: with --max-conns 2, a third connection is not served
// while two are open (/healthz included) and is served as soon as one
// closes.
func TestMaxConns(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxConns = 2
	a, _ := serveApp(t, cfg)
	held := []*rawConn{dial(t, a), dial(t, a)}
	for i, c := range held {
		if code, err := c.get("/healthz", 10*time.Second); code != http.StatusOK {
			t.Fatalf("connection %d: GET /healthz = %d, %v; want 200", i+1, code, err)
		}
	}
	third := dial(t, a) // the kernel completes the handshake; the server does not accept it yet
	if code, err := third.get("/healthz", 300*time.Millisecond); err == nil {
		t.Fatalf("a third connection over --max-conns 2: GET /healthz = %d, want no answer while two are open", code)
	}
	held[0].Close()
	_ = third.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(third.r, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the third connection once one closed: GET /healthz = %v, %v; want 200", resp, err)
	}
	resp.Body.Close()
}

// TestWriteProgress: a response may take longer than the write stall
// timeout while the client reads it (and a handler may wait longer
// before it writes), even on a connection whose previous response set a
// deadline; a client that stops reading is disconnected after it.
func TestWriteProgress(t *testing.T) {
	const stall = 100 * time.Millisecond
	release := make(chan struct{})
	failed := make(chan error, 1)
	srv := httptest.NewServer(writeProgress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			_, _ = io.WriteString(w, "ok")
		case "/wait": // like `job run --wait`
			<-release
			w.WriteHeader(http.StatusNoContent)
		case "/endless":
			chunk := make([]byte, 1<<20)
			for {
				if _, err := w.Write(chunk); err != nil {
					failed <- err
					return
				}
			}
		}
	}), stall))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rc := &rawConn{c, bufio.NewReader(c)}
	if code, err := rc.get("/small", 10*time.Second); code != http.StatusOK {
		t.Fatalf("GET /small = %d, %v; want 200", code, err)
	}
	time.AfterFunc(3*stall, func() { close(release) }) // longer than stall: only makes the check stricter
	if code, err := rc.get("/wait", 10*time.Second); code != http.StatusNoContent {
		t.Fatalf("GET /wait on the same connection, answered after 3×stall = %d, %v; want 204", code, err)
	}

	if _, err := fmt.Fprintf(rc, "GET /endless HTTP/1.1\r\nHost: provisio\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select { // the client reads nothing
	case err := <-failed:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("writing to a client that stopped reading failed with %v, want a timeout", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("writing to a client that stopped reading did not fail within 20s")
	}
}

// adminCall sends an admin API request and decodes its JSON answer.
func adminCall(t *testing.T, a *App, admin, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, a.BaseURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestOutboundAllow: with --outbound-allow, a provisioning job whose
// target lies outside is refused for Test Connection and for a cycle,
// also when its host name resolves to a refused address, and the target
// sees no request; a plain-http Tenant URL to a host that is not loopback
// carries a warning.
func TestOutboundAllow(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`)
	}))
	defer target.Close()
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())

	cfg := testConfig(t)
	var err error
	if cfg.Outbound, err = outbound.Parse("10.0.0.0/8,*.example.com"); err != nil {
		t.Fatal(err)
	}
	a, admin := serveApp(t, cfg)
	must := func(want int, method, path, body string) map[string]any {
		t.Helper()
		code, out := adminCall(t, a, admin, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %v, want %d", method, path, code, out, want)
		}
		return out
	}
	must(201, "POST", "/api/v1/users", `{"userPrincipalName":"alice@x.io","givenName":"Alice","surname":"Lee"}`)
	for _, tc := range []struct{ name, tenantURL string }{
		{"address", "http://127.0.0.1:" + port + "/scim/v2"},
		{"host name resolving to a refused address", "http://localhost:" + port + "/scim/v2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := strings.ReplaceAll(tc.name, " ", "-")
			must(201, "POST", "/api/v1/apps", `{"name":"`+app+`"}`)
			must(200, "POST", "/api/v1/apps/"+app+"/assignments", `{"user":"alice@x.io"}`)
			job := must(200, "PUT", "/api/v1/apps/"+app+"/job", `{"tenantUrl":"`+tc.tenantURL+`","token":"pvt_secret"}`)
			// No cleartext warning for loopback; the one warning is that the
			// application's schema could not be read, and why.
			warnings, _ := job["warnings"].([]any)
			if len(warnings) != 1 || !strings.Contains(fmt.Sprint(warnings[0]), "schema") || !strings.Contains(fmt.Sprint(warnings[0]), "is not in --outbound-allow") {
				t.Errorf("PUT job to a loopback http URL = warnings %v, want only the schema discovery refused by --outbound-allow", job["warnings"])
			}
			test := must(200, "POST", "/api/v1/apps/"+app+"/job/test", "")
			if msg, _ := test["message"].(string); test["ok"] != false || test["reason"] != "not-allowed" || !strings.Contains(msg, "127.0.0.1 is not in --outbound-allow") {
				t.Errorf("POST job/test = %v, want ok false, reason not-allowed, naming the address", test)
			}
			cycle := must(200, "POST", "/api/v1/apps/"+app+"/job/runs?wait=true", "")
			stats, _ := cycle["stats"].(map[string]any)
			if stats["created"] != float64(0) || stats["failed"] != float64(1) {
				t.Errorf("POST job/runs?wait=true = %v, want alice's create failed", cycle)
			}
			logs := must(200, "GET", "/api/v1/apps/"+app+"/job/logs?status=failure", "")
			if !strings.Contains(fmt.Sprint(logs), "127.0.0.1 is not in --outbound-allow") {
				t.Errorf("GET job/logs?status=failure = %v, want the refusal naming the address", logs)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the refused target received %d requests, want 0", n)
	}

	must(201, "POST", "/api/v1/apps", `{"name":"remote"}`)
	for _, tc := range []struct {
		name, tenantURL string
		warn            bool
	}{
		{"plain http to a remote host", "http://scim.example.com/v2", true},
		{"https", "https://scim.example.com/v2", false},
	} {
		job := must(200, "PUT", "/api/v1/apps/remote/job", `{"tenantUrl":"`+tc.tenantURL+`","token":"pvt_secret"}`)
		if got := strings.Contains(fmt.Sprint(job["warnings"]), "in clear"); got != tc.warn {
			t.Errorf("%s: PUT job = warnings %v, want a clear-text warning %v", tc.name, job["warnings"], tc.warn)
		}
	}
}
