package main

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

var formCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var formID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// TestSSOSignInCLI: through a real `serve` and the CLI, an invite link
// from `user invite` sets a password on its page, once; the user then
// signs in at the provider and a second authorize needs no password;
// `app sso --show/--delete` and `user set-admin` work.
func TestSSOSignInCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	var u apitypes.User
	s.cliJSON(t, &u, "user", "create", "alice@contoso.com")
	var out map[string]any
	s.cliJSON(t, &out, "app", "create", "Portal")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--user", "alice@contoso.com")
	const cb, bye = "https://portal.example.com/callback", "https://portal.example.com/bye"
	var c apitypes.SSOClient
	s.cliJSON(t, &c, "app", "sso", "Portal", "--redirect-uri", cb, "--post-logout-redirect-uri", bye, "--public", "--json")

	// The invite page.
	var inv apitypes.Invite
	s.cliJSON(t, &inv, "user", "invite", "alice@contoso.com")
	jar, _ := cookiejar.New(nil)
	br := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), "https://portal.example.com") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	page := func(resp *http.Response, err error) (int, string, http.Header) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	_, body, _ := page(br.Get(inv.URL))
	m := formCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET %s = %.300s, want the password form", inv.URL, body)
	}
	const pw = "a long enough password"
	status, body, _ := page(br.PostForm(inv.URL, url.Values{"csrf": {m[1]}, "password": {pw}, "confirm": {pw}}))
	if status != http.StatusOK || !strings.Contains(body, "you can sign in") {
		t.Fatalf("POST invite = %d %.300s, want password set", status, body)
	}
	_, body, _ = page(br.Get(inv.URL))
	status, _, _ = page(br.PostForm(inv.URL, url.Values{"csrf": {formCSRF.FindStringSubmatch(body)[1]}, "password": {pw}, "confirm": {pw}}))
	if status != http.StatusGone {
		t.Errorf("POST invite again = %d, want 410 (single use)", status)
	}

	// Sign in with that password; the second authorize rides the session.
	sum := sha256.Sum256([]byte("verifier-verifier-verifier-verifier-verifier-42"))
	q := url.Values{"client_id": {c.ClientID}, "redirect_uri": {cb}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"st"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, err := br.Get(c.Issuer + "/authorize?" + q.Encode())
	status, body, _ = page(resp, err)
	if status != http.StatusOK || formID.FindStringSubmatch(body) == nil {
		t.Fatalf("authorize = %d %.300s, want the sign-in form", status, body)
	}
	status, _, h := page(br.PostForm(resp.Request.URL.String(), url.Values{"id": {formID.FindStringSubmatch(body)[1]},
		"csrf": {formCSRF.FindStringSubmatch(body)[1]}, "username": {"alice@contoso.com"}, "password": {pw}}))
	if status != http.StatusFound || !strings.HasPrefix(h.Get("Location"), cb+"?code=") {
		t.Fatalf("sign-in = %d %q, want a code at %s", status, h.Get("Location"), cb)
	}
	status, _, h = page(br.Get(c.Issuer + "/authorize?" + q.Encode()))
	if status != http.StatusFound || !strings.HasPrefix(h.Get("Location"), cb+"?code=") {
		t.Errorf("second authorize = %d %q, want a code without the form", status, h.Get("Location"))
	}
	status, _, h = page(br.Get(c.Issuer + "/end_session?" + url.Values{"client_id": {c.ClientID}, "post_logout_redirect_uri": {bye}}.Encode()))
	if status != http.StatusFound || h.Get("Location") != bye {
		t.Errorf("end_session = %d %q, want 302 to %s", status, h.Get("Location"), bye)
	}
	if status, body, _ := page(br.Get(c.Issuer + "/authorize?" + q.Encode())); status != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Errorf("authorize after logout = %d, want the sign-in form", status)
	}

	// app sso --show / --delete.
	var info apitypes.SSOClientInfo
	s.cliJSON(t, &info, "app", "sso", "Portal", "--show", "--json")
	if info.ClientID != c.ClientID || !info.Public || info.HasSecret || len(info.PostLogoutRedirectURIs) != 1 || info.PostLogoutRedirectURIs[0] != bye {
		t.Errorf("app sso --show = %+v, want the public client with %s", info, bye)
	}
	if text, err := s.cliIn(t, nil, "app", "sso", "Portal", "--show"); err != nil || !strings.Contains(text, c.ClientID) || !strings.Contains(text, "public") {
		t.Errorf("app sso --show = %q, %v", text, err)
	}
	if _, err := s.cliIn(t, nil, "app", "sso", "Portal", "--show", "--delete"); err == nil {
		t.Error("app sso --show --delete succeeded, want refused")
	}
	if _, err := s.cliIn(t, nil, "app", "sso", "Portal", "--delete"); err != nil {
		t.Fatalf("app sso --delete = %v", err)
	}
	if _, err := s.cliIn(t, nil, "app", "sso", "Portal", "--show"); err == nil {
		t.Error("app sso --show after --delete succeeded, want not found")
	}

	// user set-admin.
	var got apitypes.User
	s.cliJSON(t, &got, "user", "set-admin", "alice@contoso.com", "--json")
	s.cliJSON(t, &got, "user", "get", "alice@contoso.com", "--json")
	if got.Admin == nil || !*got.Admin {
		t.Errorf("user get after set-admin = admin %v, want true", got.Admin)
	}
	s.cliJSON(t, &got, "user", "set-admin", "alice@contoso.com", "--off", "--json")
	s.cliJSON(t, &got, "user", "get", "alice@contoso.com", "--json")
	if got.Admin == nil || *got.Admin {
		t.Errorf("user get after set-admin --off = admin %v, want false", got.Admin)
	}
}
