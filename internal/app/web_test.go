package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// adminSet is an honest Admins for the tests: these object ids are
// administrators.
type adminSet map[string]bool

func (s adminSet) IsAdmin(_ context.Context, id string) (bool, error) { return s[id], nil }

// webUser creates an enabled directory user with a password.
func webUser(t *testing.T, a *App, upn, password string) directory.User {
	t.Helper()
	u, err := a.dir.CreateUser(t.Context(), directory.User{UserPrincipalName: upn, DisplayName: upn, MailNickname: strings.Split(upn, "@")[0], AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.dir.SetPassword(t.Context(), u.ObjectID, password); err != nil {
		t.Fatal(err)
	}
	return u
}

// webAdminApp serves an App whose one administrator is alice@example.com
// (password "correct horse battery"); it returns the App, alice and the
// admin API token.
func webAdminApp(t *testing.T) (*App, directory.User, string) {
	t.Helper()
	a, token := serveApp(t, testConfig(t))
	alice := webUser(t, a, "alice@example.com", "correct horse battery")
	a.admins = adminSet{alice.ObjectID: true}
	return a, alice, token
}

// targetTenant creates a SCIM tenant of a's own server, the application
// the tests provision into; it returns the tenant, its Tenant URL and Secret Token.
func targetTenant(t *testing.T, a *App, name string) (tenant.Tenant, string, string) {
	t.Helper()
	ten, token, err := a.tenants.Create(t.Context(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ten, scimsvc.TenantURL(a.BaseURL(), ten.ID), token
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	idField   = regexp.MustCompile(`name="id" value="([^"]+)"`)
)

// webSignIn opens path of the UI with a fresh browser-like client, signs
// in at the provider's login page and returns the client and the page it
// lands on.
func webSignIn(t *testing.T, a *App, path, upn, password string) (*http.Client, *http.Response, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err := hc.Get(a.BaseURL() + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Request.URL.Path, "/oidc/") {
		t.Fatalf("GET %s without a session landed on %s, want the provider's login page", path, resp.Request.URL)
	}
	id, csrf := idField.FindSubmatch(body), csrfField.FindSubmatch(body)
	if id == nil || csrf == nil {
		t.Fatalf("login page has no id or csrf field: %s", body)
	}
	resp, err = hc.PostForm(resp.Request.URL.String(), url.Values{"id": {string(id[1])}, "csrf": {string(csrf[1])},
		"username": {upn}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	return hc, resp, string(body)
}

// TestWebSignIn: an administrator signs in through the provider and lands
// on the page asked for, with the security headers; a non-administrator
// is refused at the provider; forms need the session's CSRF token and the
// same origin; the change is audited under the administrator's UPN;
// sign-out ends the session.
func TestWebSignIn(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	alice := webUser(t, a, "alice@example.com", "correct horse battery")
	webUser(t, a, "bob@example.com", "staple battery horse")
	a.admins = adminSet{alice.ObjectID: true}

	hc, resp, body := webSignIn(t, a, "/ui/apps", "alice@example.com", "correct horse battery")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/ui/apps" || !strings.Contains(body, "<h1>Applications</h1>") {
		t.Fatalf("admin sign-in landed on %d %s, want 200 /ui/apps: %s", resp.StatusCode, resp.Request.URL, body)
	}
	for h, want := range map[string]string{"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'",
		"X-Frame-Options": "DENY"} {
		if got := resp.Header.Get(h); !strings.HasPrefix(got, want) {
			t.Errorf("%s = %q, want %q...", h, got, want)
		}
	}
	if !strings.Contains(body, "alice@example.com") {
		t.Error("page does not name the signed-in administrator")
	}
	csrf := csrfField.FindStringSubmatch(body)[1]

	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	post := func(form url.Values, header http.Header) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, a.BaseURL()+"/ui/apps", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if got := post(url.Values{"name": {"Forged"}}, nil).StatusCode; got != http.StatusForbidden {
		t.Errorf("POST without csrf = %d, want 403", got)
	}
	if got := post(url.Values{"name": {"Forged"}, "csrf": {"wrong"}}, nil).StatusCode; got != http.StatusForbidden {
		t.Errorf("POST with a wrong csrf = %d, want 403", got)
	}
	if got := post(url.Values{"name": {"Forged"}, "csrf": {csrf}}, http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}).StatusCode; got != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", got)
	}
	resp = post(url.Values{"name": {"Payroll"}, "csrf": {csrf}}, nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/provisioning?done=created") {
		t.Fatalf("POST /ui/apps = %d %s, want 303 to the provisioning page", resp.StatusCode, resp.Header.Get("Location"))
	}
	apps, err := a.dir.ListApps(t.Context())
	if err != nil || len(apps) != 1 || apps[0].Name != "Payroll" {
		t.Fatalf("apps = %+v, %v, want Payroll only", apps, err)
	}
	entries, err := a.audit.List(t.Context(), time.Time{}, 10, 0)
	if err != nil || len(entries) != 1 || entries[0].Actor != "alice@example.com" || entries[0].ActorID != alice.ObjectID {
		t.Errorf("audit = %+v, %v, want one entry by alice@example.com", entries, err)
	}

	// A session cookie changed by one character does not open.
	u, _ := url.Parse(a.BaseURL() + "/ui/")
	var sess *http.Cookie
	for _, c := range hc.Jar.Cookies(u) {
		if c.Name == "provisio_ui_session" {
			sess = c
		}
	}
	if sess == nil {
		t.Fatal("no provisio_ui_session cookie after sign-in")
	}
	forged := []byte(sess.Value)
	forged[len(forged)/2] ^= 1
	req, _ := http.NewRequest(http.MethodGet, a.BaseURL()+"/ui/apps", nil)
	req.AddCookie(&http.Cookie{Name: sess.Name, Value: string(forged)})
	resp, err = (&http.Client{CheckRedirect: noRedirect.CheckRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ui/login") {
		t.Errorf("forged session: GET /ui/apps = %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}

	_, resp, body = webSignIn(t, a, "/ui/apps", "bob@example.com", "staple battery horse")
	if resp.Request.URL.Path == "/ui/apps" || strings.Contains(body, "<h1>Applications</h1>") {
		t.Errorf("non-administrator reached %s", resp.Request.URL)
	}

	resp = func() *http.Response {
		resp, err := noRedirect.PostForm(a.BaseURL()+"/ui/logout", url.Values{"csrf": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("sign out = %d, want 200", resp.StatusCode)
	}
	resp, err = noRedirect.Get(a.BaseURL() + "/ui/apps")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ui/login") {
		t.Errorf("after sign-out GET /ui/apps = %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestWebCookiesIgnoreClientForwardedProto: on an http public URL the
// UI's cookies are not Secure, whatever X-Forwarded-Proto a client sends
// (only the public URL's scheme or TLS itself makes them Secure).
func TestWebCookiesIgnoreClientForwardedProto(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	req, _ := http.NewRequest(http.MethodGet, a.BaseURL()+"/ui/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cs := resp.Cookies()
	if len(cs) == 0 {
		t.Fatalf("GET /ui/login = %d with no cookie, want the sign-in state cookie", resp.StatusCode)
	}
	for _, c := range cs {
		if c.Secure {
			t.Errorf("cookie %s is Secure on an http public URL after a client's X-Forwarded-Proto", c.Name)
		}
	}
}
