package jobs_test

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/provisioning/credentials"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/client"
	"github.com/provisio-dev/provisio/scim/server"
)

const (
	clientID     = "provisio-job"
	clientSecret = "cl13nt-S3cret-MARKER-41d2"
)

// authServer is an OAuth 2.0 token endpoint (RFC 6749 §4.4) and the
// repo's SCIM service that accepts only the bearer tokens it issued, as
// long as they are valid, or (static) one fixed token while accept says so.
type authServer struct {
	tokenURL, scimURL string
	expiresIn         int
	fetches           atomic.Int32
	secret            atomic.Pointer[string] // the client secret the endpoint accepts
	accept            atomic.Bool            // the static token is accepted
	static            string

	mu     sync.Mutex
	issued map[string]time.Time // access token → expiry
}

func newAuthServer(t *testing.T, expiresIn int, static string) *authServer {
	t.Helper()
	a := &authServer{expiresIn: expiresIn, static: static, issued: map[string]time.Time{}}
	a.setSecret(clientSecret)
	a.accept.Store(true)
	h := server.New(server.Config{Registry: scim.NewStandardRegistry(), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		if r.FormValue("grant_type") != "client_credentials" || id != clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(*a.secret.Load())) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		tok := fmt.Sprintf("at-%d-%s", a.fetches.Add(1), r.FormValue("scope"))
		a.mu.Lock()
		a.issued[tok] = time.Now().Add(time.Duration(a.expiresIn) * time.Second)
		a.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": a.expiresIn})
	})
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.valid(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.tokenURL, a.scimURL = srv.URL+"/oauth2/token", srv.URL+"/scim/v2"
	return a
}

func (a *authServer) setSecret(s string) { a.secret.Store(&s) }

func (a *authServer) valid(bearer string) bool {
	if a.static != "" {
		return bearer == a.static && a.accept.Load()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.issued[bearer]
	return ok && time.Now().Before(exp)
}

func (a *authServer) oauth(secret string) *jobs.OAuthConfig {
	return &jobs.OAuthConfig{OAuth: credentials.OAuth{TokenURL: a.tokenURL, ClientID: clientID, Scopes: []string{"scim.read", "scim.write"}}, ClientSecret: secret}
}

// events is a JobObserver that keeps the job events.
type events struct {
	recorder
	mu   sync.Mutex
	list []jobs.JobEvent
}

func (ev *events) JobEvent(e jobs.JobEvent) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.list = append(ev.list, e)
}

func (ev *events) credentials() []jobs.JobEvent {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var out []jobs.JobEvent
	for _, e := range ev.list {
		if e.Kind == jobs.EventCredentialsWarn {
			out = append(out, e)
		}
	}
	return out
}

func withEvents(ev *events) func(*jobs.Options) {
	return func(o *jobs.Options) { o.Observers = append(o.Observers, ev) }
}

// TestOAuthClientCredentials: a job with OAuth client credentials
// fetches an access token, uses it for Test Connection and cycles, keeps
// it across cycles while valid and fetches a new one when it expires.
func TestOAuthClientCredentials(t *testing.T) {
	for _, tc := range []struct {
		name        string
		expiresIn   int
		wantFetches func(n int32) bool
		want        string
	}{
		{"valid an hour: fetched once", 3600, func(n int32) bool { return n == 1 }, "1"},
		{"valid 1 s: fetched again when expiring", 1, func(n int32) bool { return n >= 3 }, "at least 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			as := newAuthServer(t, tc.expiresIn, "")
			e := sqliteEnv(t)
			j, err := e.svc.Configure(ctx, appID, jobs.Config{TenantURL: as.scimURL, OAuth: as.oauth(clientSecret)})
			if err != nil {
				t.Fatalf("Configure(oauth) = %v", err)
			}
			if j.Auth.Method != jobs.AuthOAuth || j.Auth.OAuth == nil || j.Auth.OAuth.ClientID != clientID || j.Auth.OAuth.TokenURL != as.tokenURL || j.TokenSet {
				t.Errorf("Configure(oauth).Auth = %+v, token set %v; want oauth client credentials of %s at %s", j.Auth, j.TokenSet, clientID, as.tokenURL)
			}
			if b, _ := json.Marshal(j); strings.Contains(string(b), clientSecret) {
				t.Errorf("Configure(oauth) = %s: shows the client secret", b)
			}
			saved := as.fetches.Load() // saving read /Schemas with a token of its own
			if err := e.svc.TestConnection(ctx, appID); err != nil {
				t.Errorf("TestConnection = %v, want nil", err)
			}
			e.addUsers(1, 3)
			if sum := e.run(); sum.Stats.Created != 3 || sum.Error != "" {
				t.Errorf("first Run = %+v, want 3 created", sum.Stats)
			}
			e.addUsers(4, 5)
			if sum := e.run(); sum.Stats.Created != 2 || sum.Error != "" {
				t.Errorf("second Run = %+v, want 2 created", sum.Stats)
			}
			if n := as.fetches.Load() - saved; !tc.wantFetches(n) {
				t.Errorf("token fetches for Test Connection and two cycles = %d, want %s", n, tc.want)
			}
			if w := e.status().Warnings; len(w) != 0 {
				t.Errorf("Status.Warnings = %q, want none", w)
			}
		})
	}
}

// TestOAuthRefused: a refused client secret is Test Connection's precise
// reason; credentials that worked and start being refused warn once.
func TestOAuthRefused(t *testing.T) {
	ctx := context.Background()
	as := newAuthServer(t, 1, "")
	ev := &events{}
	e := sqliteEnv(t, withEvents(ev))
	if _, err := e.svc.Configure(ctx, appID, jobs.Config{TenantURL: as.scimURL, OAuth: as.oauth("wrong")}); err != nil {
		t.Fatalf("Configure(oauth) = %v", err)
	}
	err := e.svc.TestConnection(ctx, appID)
	var ce *client.ConnectionError
	if want := "oauth token endpoint refused the client credentials: invalid_client"; !errors.As(err, &ce) || ce.Reason != client.ReasonCredentials || !strings.Contains(err.Error(), want) {
		t.Errorf("TestConnection(wrong secret) = %v, want a credentials failure saying %q", err, want)
	}
	if got := ev.credentials(); len(got) != 0 {
		t.Errorf("credential events after a secret that never worked = %+v, want none", got)
	}

	if _, err := e.svc.Configure(ctx, appID, jobs.Config{OAuth: as.oauth(clientSecret)}); err != nil {
		t.Fatalf("Configure(right secret) = %v", err)
	}
	e.addUsers(1, 2)
	if sum := e.run(); sum.Stats.Created != 2 {
		t.Fatalf("Run = %+v, want 2 created", sum.Stats)
	}
	as.setSecret("rotated") // the secret is revoked at the authorization server
	e.addUsers(3, 4)
	e.run()
	e.addUsers(5, 5)
	e.run()
	_ = e.svc.TestConnection(ctx, appID)
	got := ev.credentials()
	if len(got) != 1 || !strings.Contains(got[0].Reason, "invalid_client") || got[0].AppID != appID {
		t.Fatalf("credential events after two refused cycles and a test = %+v, want one naming invalid_client", got)
	}
	if w := e.status().Warnings; len(w) != 1 || w[0] != got[0].Reason {
		t.Errorf("Status.Warnings = %q, want [%q]", w, got[0].Reason)
	}
	as.setSecret(clientSecret)
	e.addUsers(6, 6)
	e.run()
	if w := e.status().Warnings; len(w) != 0 {
		t.Errorf("Status.Warnings after a cycle that worked = %q, want none", w)
	}
}

// jwtToken is an (unsigned) JWT Secret Token expiring at exp.
func jwtToken(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256"}`)) + "." + enc(fmt.Appendf(nil, `{"sub":"provisio","exp":%d}`, exp.Unix())) + "." + enc([]byte("sig"))
}

// TestSecretTokenExpiry: a JWT Secret Token expiring within a week warns
// once (when saved), however many cycles run; a later one does not.
func TestSecretTokenExpiry(t *testing.T) {
	for _, tc := range []struct {
		name       string
		expiresIn  time.Duration // from the service's clock; 0: an opaque token
		wantEvents int
	}{
		{"expires in 3 days", 3 * 24 * time.Hour, 1},
		{"expires in 30 days", 30 * 24 * time.Hour, 0},
		{"opaque token", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ev := &events{}
			e := sqliteEnv(t, withEvents(ev))
			tok := "opaque-static-token"
			if tc.expiresIn > 0 {
				tok = jwtToken(e.clock.now().Add(tc.expiresIn))
			}
			as := newAuthServer(t, 0, tok)
			j, err := e.svc.Configure(ctx, appID, jobs.Config{TenantURL: as.scimURL, SecretToken: tok})
			if err != nil {
				t.Fatalf("Configure = %v", err)
			}
			if tc.expiresIn > 0 && !j.Auth.TokenExpires.Equal(e.clock.now().Add(tc.expiresIn).Truncate(time.Second)) {
				t.Errorf("Configure().Auth.TokenExpires = %v, want %v", j.Auth.TokenExpires, e.clock.now().Add(tc.expiresIn))
			}
			e.addUsers(1, 2)
			e.run()
			e.run()
			got := ev.credentials()
			if len(got) != tc.wantEvents {
				t.Fatalf("credential events = %+v, want %d", got, tc.wantEvents)
			}
			j, err = e.svc.Get(ctx, appID)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantEvents == 1 && (!strings.Contains(got[0].Reason, "expires at") || !strings.Contains(strings.Join(j.Warnings, "\n"), got[0].Reason)) {
				t.Errorf("event reason %q, Get().Warnings %q; want an expiry warning shown by Get", got[0].Reason, j.Warnings)
			}
			if tc.wantEvents == 0 && len(j.Warnings) != 0 {
				t.Errorf("Get().Warnings = %q, want none", j.Warnings)
			}
		})
	}
}

// TestSecretTokenRefusedAfterWorking: a static token refused after it
// worked warns once; one refused from the start does not (that is a
// configuration error, shown by Test Connection).
func TestSecretTokenRefusedAfterWorking(t *testing.T) {
	ctx := context.Background()
	ev := &events{}
	e := sqliteEnv(t, withEvents(ev))
	as := newAuthServer(t, 0, "static-token")
	as.accept.Store(false)
	if _, err := e.svc.Configure(ctx, appID, jobs.Config{TenantURL: as.scimURL, SecretToken: "static-token"}); err != nil {
		t.Fatal(err)
	}
	e.addUsers(1, 1)
	e.svc.Run(ctx, appID) // refused: the job goes into quarantine
	if got := ev.credentials(); len(got) != 0 {
		t.Fatalf("credential events for a token refused from the start = %+v, want none", got)
	}
	as.accept.Store(true)
	e.addUsers(2, 2)
	e.run()
	as.accept.Store(false)
	for i := 3; i <= 5; i++ { // refused again: quarantined, later cycles stop at the credentials probe
		e.addUsers(i, i)
		e.svc.Run(ctx, appID)
	}
	if got := ev.credentials(); len(got) != 1 || !strings.Contains(got[0].Reason, "HTTP 401 or 403") {
		t.Errorf("credential events = %+v, want one saying the application answered 401 or 403", got)
	}
}

// TestConfigureOAuth: the settings are checked, the secret is
// write-only and kept only where it may be sent.
func TestConfigureOAuth(t *testing.T) {
	ctx := context.Background()
	good := func() *jobs.OAuthConfig {
		return &jobs.OAuthConfig{OAuth: credentials.OAuth{TokenURL: "https://login.example.com/tenant/oauth2/token", ClientID: clientID}, ClientSecret: clientSecret}
	}
	tenant := "http://127.0.0.1:1/scim/v2"
	for _, tc := range []struct {
		name    string
		first   jobs.Config // applied to a new job
		then    jobs.Config // zero: none
		wantErr string      // of the last Configure; "" for success
		method  string
	}{
		{"oauth", jobs.Config{TenantURL: tenant, OAuth: good()}, jobs.Config{}, "", jobs.AuthOAuth},
		{"cleartext token url", jobs.Config{TenantURL: tenant, OAuth: &jobs.OAuthConfig{OAuth: credentials.OAuth{TokenURL: "http://login.example.com/token", ClientID: "c"}, ClientSecret: "s"}}, jobs.Config{}, "in clear", ""},
		{"no secret for a new job", jobs.Config{TenantURL: tenant, OAuth: &jobs.OAuthConfig{OAuth: good().OAuth}}, jobs.Config{}, "client secret is required", ""},
		{"token and oauth", jobs.Config{TenantURL: tenant, SecretToken: "t", OAuth: good()}, jobs.Config{}, "not both", ""},
		{"neither", jobs.Config{TenantURL: tenant}, jobs.Config{}, "is required", ""},
		{"scopes change keeps the secret", jobs.Config{TenantURL: tenant, OAuth: good()},
			jobs.Config{OAuth: &jobs.OAuthConfig{OAuth: credentials.OAuth{TokenURL: good().TokenURL, ClientID: clientID, Scopes: []string{"scim"}}}}, "", jobs.AuthOAuth},
		{"token url moves without the secret", jobs.Config{TenantURL: tenant, OAuth: good()},
			jobs.Config{OAuth: &jobs.OAuthConfig{OAuth: credentials.OAuth{TokenURL: "https://evil.example.net/token", ClientID: clientID}}}, "send the client secret again", ""},
		{"tenant url moves without the secret", jobs.Config{TenantURL: tenant, OAuth: good()},
			jobs.Config{TenantURL: "https://other.example.net/scim"}, "send the oauth client secret again", ""},
		{"back to a secret token", jobs.Config{TenantURL: tenant, OAuth: good()}, jobs.Config{SecretToken: "t"}, "", jobs.AuthSecretToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sqliteEnv(t, func(o *jobs.Options) { o.DiscoveryWait = time.Millisecond })
			j, err := e.svc.Configure(ctx, appID, tc.first)
			if tc.then != (jobs.Config{}) && err == nil {
				j, err = e.svc.Configure(ctx, appID, tc.then)
			}
			switch {
			case tc.wantErr != "":
				if !errors.Is(err, jobs.ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Configure = %v, want ErrInvalid saying %q", err, tc.wantErr)
				}
			case err != nil:
				t.Errorf("Configure = %v, want nil", err)
			case j.Auth.Method != tc.method || (tc.method == jobs.AuthOAuth) != (j.Auth.OAuth != nil):
				t.Errorf("Configure().Auth = %+v, want method %s", j.Auth, tc.method)
			}
		})
	}
}

// TestOAuthOutboundAllow: the token URL is held to --outbound-allow like
// the Tenant URL: allowed by name, a token endpoint on an address outside
// the list is never dialled.
func TestOAuthOutboundAllow(t *testing.T) {
	ctx := context.Background()
	as := newAuthServer(t, 3600, "")
	pol, err := outbound.Parse("localhost")
	if err != nil {
		t.Fatal(err)
	}
	e := sqliteEnv(t, func(o *jobs.Options) { o.Outbound = pol })
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.Split(as.scimURL, "/scim")[0], "http://"))
	oc := as.oauth(clientSecret) // its token url is 127.0.0.1: not allowed
	if _, err := e.svc.Configure(ctx, appID, jobs.Config{TenantURL: "http://localhost:" + port + "/scim/v2", OAuth: oc}); err != nil {
		t.Fatal(err)
	}
	err = e.svc.TestConnection(ctx, appID)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1 is not in --outbound-allow") || as.fetches.Load() != 0 {
		t.Errorf("TestConnection = %v with %d token fetches, want the token endpoint's address refused, never fetched", err, as.fetches.Load())
	}
}
