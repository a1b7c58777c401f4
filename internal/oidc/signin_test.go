package oidc_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/provisio-dev/provisio/internal/app"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/oidc"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
)

const logoutURI = "https://app.example.com/bye"

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeInvites maps tokens to users; a token works once.
type fakeInvites struct {
	mu   sync.Mutex
	toks map[string]string // token -> upn
	set  map[string]string // upn -> password
}

func (f *fakeInvites) RedeemInvite(_ context.Context, token, pw string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	upn, ok := f.toks[token]
	if !ok {
		return oidc.ErrInvalidInvite
	}
	delete(f.toks, token)
	f.set[upn] = pw
	return nil
}

type signInEnv struct {
	*env
	clock   *clock
	dir     fakeDir
	invites *fakeInvites
}

// newSignInEnv is newEnv with a settable clock, small throttle limits,
// invite links, an unassigned second app and post-logout redirect URIs.
func newSignInEnv(t *testing.T) *signInEnv {
	t.Helper()
	return newSignInEnvWith(t, nil)
}

// newSignInEnvWith is newSignInEnv with the provider's Config changed by
// edit (when not nil) first.
func newSignInEnvWith(t *testing.T, edit func(*oidc.Config)) *signInEnv {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	keys, err := oidc.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	e := &signInEnv{
		env:   &env{srv: srv, issuer: srv.URL + "/oidc"},
		clock: &clock{t: time.Now().Truncate(time.Second)},
		dir: fakeDir{
			mu: &sync.Mutex{},
			users: map[string]oidc.User{
				"id-alice@example.com": {ID: "id-alice@example.com", UserPrincipalName: "alice@example.com", Enabled: true},
			},
			assigned: map[string]bool{"app1/id-alice@example.com": true},
		},
		invites: &fakeInvites{toks: map[string]string{"tok-1": "carol@example.com"}, set: map[string]string{}},
	}
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "provisio.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := oidc.Config{
		Issuer: e.issuer,
		Grants: app.OIDCGrants{St: st.OIDCGrants()},
		Clients: fakeClients{
			"web": {ID: "web", AppID: "app1", SecretHash: dirsvc.HashClientSecret(secret), RedirectURIs: []string{redirectURI},
				PostLogoutRedirectURIs: []string{logoutURI}},
			"other": {ID: "other", AppID: "app2", SecretHash: dirsvc.HashClientSecret(secret), RedirectURIs: []string{redirectURI}},
		},
		Directory: e.dir,
		Auth:      fakeAuth{"alice@example.com": "pw-alice", "bob@example.com": "pw-bob"},
		Keys:      keys,
		CryptoKey: [32]byte{4, 5, 6},
		Now:       e.clock.now,
		SignIn: oidc.SignIn{
			SessionTTL: 8 * time.Hour,
			Throttle:   oidc.Throttle{Window: time.Minute, AccountFailures: 3, AddressFailures: 5},
			Invites:    e.invites,
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	h, err := oidc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/oidc/", http.StripPrefix("/oidc", h))
	return e
}

func webQuery() url.Values { return authQuery("web", redirectURI, challenge(verifier), "S256") }

// get does a GET with the browser and returns status, Location and body.
func get(t *testing.T, c *http.Client, u string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func readAll(r *http.Response) string {
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func TestThrottle(t *testing.T) {
	e := newSignInEnv(t)
	try := func(upn, pw string) *http.Response {
		t.Helper()
		resp := authorize(t, e.env, browser(t), webQuery(), upn, pw)
		readAll(resp)
		return resp
	}
	// Per account: 3 failures in the window, then even the right password waits.
	for i := range 3 {
		if resp := try("alice@example.com", "wrong"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i+1, resp.StatusCode)
		}
		e.clock.add(time.Second)
	}
	resp := try("Alice@Example.com", "pw-alice") // case-folded: the same account
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || ra < 1 || ra > 60 {
		t.Fatalf("4th attempt = %d Retry-After %q, want 429 with 1..60 s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.clock.add(time.Minute)
	if resp := try("alice@example.com", "pw-alice"); resp.StatusCode != http.StatusFound {
		t.Fatalf("after the window = %d, want 302 (signed in)", resp.StatusCode)
	}

	// Per address: 5 failures over several accounts, a success in between
	// does not reset it.
	e.clock.add(time.Minute)
	for _, upn := range []string{"x1@example.com", "x2@example.com", "x3@example.com", "x4@example.com"} {
		if resp := try(upn, "guess"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess at %s = %d, want 401", upn, resp.StatusCode)
		}
	}
	if resp := try("alice@example.com", "pw-alice"); resp.StatusCode != http.StatusFound {
		t.Fatalf("good sign-in between guesses = %d, want 302", resp.StatusCode)
	}
	if resp := try("x5@example.com", "guess"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("5th guess = %d, want 401", resp.StatusCode)
	}
	resp = try("bob@example.com", "pw-bob")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after 5 failures from one address = %d, want 429 with Retry-After", resp.StatusCode)
	}
}

// sessionCookie returns the browser's provider session cookie for u.
func sessionCookie(c *http.Client, u string) *http.Cookie {
	pu, _ := url.Parse(u)
	for _, k := range c.Jar.Cookies(pu) {
		if k.Name == "provisio_sso" {
			return k
		}
	}
	return nil
}

func TestSession(t *testing.T) {
	e := newSignInEnv(t)
	c := browser(t)
	status, _, body := get(t, c, e.issuer+"/authorize?"+webQuery().Encode())
	if status != http.StatusOK {
		t.Fatalf("authorize = %d, want the form", status)
	}
	stop := *c
	stop.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := stop.PostForm(e.issuer+"/login", url.Values{"id": {idRE.FindStringSubmatch(body)[1]},
		"csrf": {csrfRE.FindStringSubmatch(body)[1]}, "username": {"alice@example.com"}, "password": {"pw-alice"}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(resp)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("first sign-in = %d, want 302", resp.StatusCode)
	}
	if status, loc, _ := get(t, c, resp.Header.Get("Location")); status != http.StatusFound || !strings.HasPrefix(loc, redirectURI) {
		t.Fatalf("callback = %d %q, want 302 to the RP", status, loc)
	}
	setCookie := strings.Join(resp.Header.Values("Set-Cookie"), "\n")
	for _, want := range []string{"provisio_sso=", "Path=/oidc/", "HttpOnly", "SameSite=Lax", "Max-Age=28800"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", setCookie, want)
		}
	}
	signedIn := e.clock.now()
	e.clock.add(10 * time.Minute)

	// Within the session: no password page, and auth_time is the sign-in's.
	status, loc, body := get(t, c, e.issuer+"/authorize?"+webQuery().Encode())
	if status != http.StatusFound || !strings.HasPrefix(loc, redirectURI) {
		t.Fatalf("second authorize = %d %q %.200s, want 302 to the RP without the form", status, loc, body)
	}
	lu, _ := url.Parse(loc)
	tr := exchange(t, e.env, codeForm(lu.Query().Get("code"), verifier), "web", secret)
	p, err := gooidc.NewProvider(t.Context(), e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := p.Verifier(&gooidc.Config{ClientID: "web", Now: e.clock.now}).Verify(t.Context(), tr.IDToken)
	if err != nil {
		t.Fatalf("Verify(id_token from session) = %v", err)
	}
	var claims struct {
		AuthTime int64 `json:"auth_time"`
	}
	if err := idt.Claims(&claims); err != nil || claims.AuthTime != signedIn.Unix() {
		t.Errorf("auth_time = %d, %v, want %d (the password check)", claims.AuthTime, err, signedIn.Unix())
	}

	tests := []struct {
		name   string
		q      func(url.Values)
		status int
		error  string // error= in the redirect
	}{
		{"prompt=login", func(q url.Values) { q.Set("prompt", "login") }, http.StatusOK, ""},
		{"max_age exceeded", func(q url.Values) { q.Set("max_age", "60") }, http.StatusOK, ""},
		{"max_age within", func(q url.Values) { q.Set("max_age", "3600") }, http.StatusFound, ""},
		{"prompt=none with session", func(q url.Values) { q.Set("prompt", "none") }, http.StatusFound, ""},
	}
	for _, tt := range tests {
		q := webQuery()
		tt.q(q)
		status, loc, _ := get(t, c, e.issuer+"/authorize?"+q.Encode())
		lu, _ := url.Parse(loc)
		if status != tt.status || lu.Query().Get("error") != tt.error {
			t.Errorf("%s: authorize = %d %q, want %d error=%q", tt.name, status, loc, tt.status, tt.error)
		}
	}
	q := webQuery()
	q.Set("prompt", "none")
	if status, loc, _ := get(t, browser(t), e.issuer+"/authorize?"+q.Encode()); status != http.StatusFound || !strings.Contains(loc, "error=login_required") {
		t.Errorf("prompt=none without session = %d %q, want 302 error=login_required", status, loc)
	}

	// Assignment is checked on every authorize.
	q = authQuery("other", redirectURI, challenge(verifier), "S256")
	if status, _, _ := get(t, c, e.issuer+"/authorize?"+q.Encode()); status != http.StatusForbidden {
		t.Errorf("authorize at an unassigned app with a session = %d, want 403", status)
	}
	q.Set("prompt", "none")
	if status, loc, _ := get(t, c, e.issuer+"/authorize?"+q.Encode()); status != http.StatusFound || !strings.Contains(loc, "error=access_denied") {
		t.Errorf("prompt=none at an unassigned app with a session = %d %q, want 302 error=access_denied", status, loc)
	}

	// Expiry.
	e.clock.add(8 * time.Hour)
	if status, _, body := get(t, c, e.issuer+"/authorize?"+webQuery().Encode()); status != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Errorf("authorize after the session's TTL = %d, want the password page", status)
	}

	// A disabled user's session no longer signs in.
	c = browser(t)
	readAll(authorize(t, e.env, c, webQuery(), "alice@example.com", "pw-alice"))
	e.dir.mu.Lock()
	u := e.dir.users["id-alice@example.com"]
	u.Enabled = false
	e.dir.users["id-alice@example.com"] = u
	e.dir.mu.Unlock()
	if status, _, body := get(t, c, e.issuer+"/authorize?"+webQuery().Encode()); status != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Errorf("authorize of a disabled user with a session = %d, want the password page", status)
	}
	if k := sessionCookie(c, e.issuer+"/"); k != nil {
		t.Errorf("session cookie of a disabled user kept: %v", k)
	}
}

func TestLogout(t *testing.T) {
	e := newSignInEnv(t)
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	p, err := gooidc.NewProvider(t.Context(), e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Claims(&meta); err != nil || meta.EndSession != e.issuer+"/end_session" {
		t.Errorf("end_session_endpoint = %q, %v, want %s/end_session", meta.EndSession, err, e.issuer)
	}
	c := browser(t)
	resp := authorize(t, e.env, c, webQuery(), "alice@example.com", "pw-alice")
	readAll(resp)
	old := sessionCookie(c, e.issuer+"/")
	if resp.StatusCode != http.StatusFound || old == nil {
		t.Fatalf("sign-in = %d, cookie %v, want 302 and a session", resp.StatusCode, old)
	}

	// A post_logout_redirect_uri not registered is refused.
	q := url.Values{"client_id": {"web"}, "post_logout_redirect_uri": {"https://evil.example.com/bye"}}
	status, loc, _ := get(t, c, e.issuer+"/end_session?"+q.Encode())
	if status == http.StatusFound && strings.HasPrefix(loc, "https://evil.example.com") {
		t.Errorf("end_session(unregistered URI) redirected to %q", loc)
	}

	c = browser(t)
	readAll(authorize(t, e.env, c, webQuery(), "alice@example.com", "pw-alice"))
	old = sessionCookie(c, e.issuer+"/")
	q = url.Values{"client_id": {"web"}, "post_logout_redirect_uri": {logoutURI}, "state": {"s1"}}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	status, loc, _ = get(t, c, e.issuer+"/end_session?"+q.Encode())
	if status != http.StatusFound || loc != logoutURI+"?state=s1" {
		t.Errorf("end_session = %d %q, want 302 to %s?state=s1", status, loc, logoutURI)
	}
	if k := sessionCookie(c, e.issuer+"/"); k != nil {
		t.Errorf("session cookie after logout: %v, want cleared", k)
	}
	c.CheckRedirect = browser(t).CheckRedirect
	if status, _, _ := get(t, c, e.issuer+"/authorize?"+webQuery().Encode()); status != http.StatusOK {
		t.Errorf("authorize after logout = %d, want the password page", status)
	}
	// The ended session's cookie, replayed, no longer works.
	c2 := browser(t)
	iu, _ := url.Parse(e.issuer + "/")
	c2.Jar.SetCookies(iu, []*http.Cookie{{Name: old.Name, Value: old.Value, Path: "/oidc/"}})
	if status, _, _ := get(t, c2, e.issuer+"/authorize?"+webQuery().Encode()); status != http.StatusOK {
		t.Errorf("authorize with the ended session's cookie = %d, want the password page", status)
	}
	// Without a redirect URI the provider's own page says so.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	status, loc, _ = get(t, c, e.issuer+"/end_session")
	if status != http.StatusFound || loc != e.issuer+"/logged-out" {
		t.Errorf("end_session() = %d %q, want 302 to %s/logged-out", status, loc, e.issuer)
	}
	if status, _, body := get(t, c, loc); status != http.StatusOK || !strings.Contains(body, "signed out") {
		t.Errorf("logged-out page = %d %.100s", status, body)
	}
}

var inviteCSRF = csrfRE

func TestInvitePage(t *testing.T) {
	e := newSignInEnv(t)
	link := e.issuer + "/invite/tok-1"
	post := func(c *http.Client, csrf, pw, confirm string) (int, string) {
		t.Helper()
		resp, err := c.PostForm(link, url.Values{"csrf": {csrf}, "password": {pw}, "confirm": {confirm}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(resp)
	}
	form := func(c *http.Client) string {
		t.Helper()
		status, _, body := get(t, c, link)
		m := inviteCSRF.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil || !strings.Contains(body, `name="confirm"`) {
			t.Fatalf("GET invite = %d %.200s, want the form", status, body)
		}
		return m[1]
	}
	c := browser(t)
	good := "a long enough password"
	for _, tt := range []struct {
		name, csrf, pw, confirm string
		status                  int
	}{
		{"forged CSRF", "forged", good, good, http.StatusForbidden},
		{"passwords differ", "", good, good + "!", http.StatusBadRequest},
		{"too short", "", "short", "short", http.StatusBadRequest},
	} {
		csrf := form(c)
		if tt.csrf != "" {
			csrf = tt.csrf
		}
		if status, body := post(c, csrf, tt.pw, tt.confirm); status != tt.status {
			t.Errorf("%s: POST = %d %.200s, want %d", tt.name, status, body, tt.status)
		}
	}
	if len(e.invites.set) != 0 {
		t.Fatalf("a refused post set a password: %v", e.invites.set)
	}
	if status, body := post(c, form(c), good, good); status != http.StatusOK || !strings.Contains(body, "you can sign in") {
		t.Errorf("POST good = %d %.200s, want 200 password set", status, body)
	}
	if e.invites.set["carol@example.com"] != good {
		t.Errorf("password of carol = %q, want set", e.invites.set["carol@example.com"])
	}
	if status, _ := post(c, form(c), good, good); status != http.StatusGone {
		t.Errorf("POST with a used link = %d, want 410", status)
	}
	if status, _, _ := get(t, c, e.issuer+"/invite/"); status != http.StatusNotFound {
		t.Errorf("GET /invite/ = %d, want 404", status)
	}
}
