package main

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestSSOAssignmentRequiredCLI: through a real `serve` and the CLI, an
// application requires assignment by default (an unassigned user gets no
// code); `app sso APP --assignment-required=false` lets them sign in,
// keeping the client id; a rotation keeps the setting; turning it back on
// refuses them again.
func TestSSOAssignmentRequiredCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	var u apitypes.User
	s.cliJSON(t, &u, "user", "create", "bob@contoso.com")
	const pw = "a long enough password"
	if _, err := s.cliStdin(t, pw+"\n", "user", "set-password", "bob@contoso.com"); err != nil {
		t.Fatalf("user set-password: %v", err)
	}
	var out map[string]any
	s.cliJSON(t, &out, "app", "create", "Portal")
	const cb = "https://portal.example.com/callback"
	var c apitypes.SSOClient
	s.cliJSON(t, &c, "app", "sso", "Portal", "--redirect-uri", cb, "--public", "--json")
	show := func() apitypes.SSOClientInfo {
		t.Helper()
		var info apitypes.SSOClientInfo
		s.cliJSON(t, &info, "app", "sso", "Portal", "--show", "--json")
		return info
	}
	if info := show(); !info.AssignmentRequired {
		t.Fatalf("app sso --show = %+v, want assignment required by default", info)
	}

	// signIn runs authorize and the sign-in form in a fresh browser and
	// returns the status and Location of the answer to the form.
	signIn := func(clientID string) (int, string) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		br := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(r.URL.String(), "https://portal.example.com") {
				return http.ErrUseLastResponse
			}
			return nil
		}}
		sum := sha256.Sum256([]byte("verifier-verifier-verifier-verifier-verifier-42"))
		q := url.Values{"client_id": {clientID}, "redirect_uri": {cb}, "response_type": {"code"}, "scope": {"openid"},
			"state": {"st"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
		resp, err := br.Get(c.Issuer + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id, csrf := formID.FindStringSubmatch(string(b)), formCSRF.FindStringSubmatch(string(b))
		if id == nil || csrf == nil {
			t.Fatalf("authorize = %d %.300s, want the sign-in form", resp.StatusCode, b)
		}
		resp2, err := br.PostForm(resp.Request.URL.String(), url.Values{"id": {id[1]}, "csrf": {csrf[1]},
			"username": {"bob@contoso.com"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		return resp2.StatusCode, resp2.Header.Get("Location")
	}
	if status, loc := signIn(c.ClientID); status != http.StatusForbidden {
		t.Errorf("unassigned user, assignment required: sign-in = %d %q, want 403", status, loc)
	}

	var info apitypes.SSOClientInfo
	s.cliJSON(t, &info, "app", "sso", "Portal", "--assignment-required=false", "--json")
	if info.AssignmentRequired || info.ClientID != c.ClientID {
		t.Fatalf("app sso --assignment-required=false = %+v, want off with client id %s kept", info, c.ClientID)
	}
	if text, err := s.cliIn(t, nil, "app", "sso", "Portal", "--show"); err != nil || !strings.Contains(text, "Assignment required:       no") {
		t.Errorf("app sso --show = %q, %v, want assignment required: no", text, err)
	}
	if status, loc := signIn(c.ClientID); status != http.StatusFound || !strings.HasPrefix(loc, cb+"?code=") {
		t.Errorf("unassigned user, assignment not required: sign-in = %d %q, want a code", status, loc)
	}

	// A rotation keeps the setting.
	s.cliJSON(t, &c, "app", "sso", "Portal", "--redirect-uri", cb, "--public", "--json")
	if info := show(); info.AssignmentRequired || info.ClientID != c.ClientID {
		t.Errorf("app sso --show after rotation = %+v, want still off, client %s", info, c.ClientID)
	}
	if _, err := s.cliIn(t, nil, "app", "sso", "Portal", "--show", "--assignment-required=false"); err == nil {
		t.Error("app sso --show --assignment-required succeeded, want refused")
	}

	// Back on: refused again.
	s.cliJSON(t, &info, "app", "sso", "Portal", "--assignment-required", "--json")
	if !info.AssignmentRequired {
		t.Errorf("app sso --assignment-required = %+v, want on", info)
	}
	if status, loc := signIn(c.ClientID); status != http.StatusForbidden {
		t.Errorf("unassigned user, assignment required again: sign-in = %d %q, want 403", status, loc)
	}
	// Setting it with a rotation.
	s.cliJSON(t, &c, "app", "sso", "Portal", "--redirect-uri", cb, "--public", "--assignment-required=false", "--json")
	if info := show(); info.AssignmentRequired {
		t.Errorf("app sso --show after rotation with --assignment-required=false = %+v, want off", info)
	}
}
