package oidc_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/provisio-dev/provisio/internal/oidc"
)

// TestAssignmentNotRequired: an application whose client has "assignment
// required" off (issue 13) lets any enabled directory user sign in, with a
// roles claim only from assignments that exist; a disabled or unknown user
// is still refused, and so is an unassigned user at an application that
// requires assignment (the default).
func TestAssignmentNotRequired(t *testing.T) {
	e := newEnv(t)
	e.dir.mu.Lock()
	e.dir.users["id-bob@example.com"] = oidc.User{ID: "id-bob@example.com", UserPrincipalName: "bob@example.com", Enabled: true}
	e.dir.users["id-carol@example.com"] = oidc.User{ID: "id-carol@example.com", UserPrincipalName: "carol@example.com", Enabled: false}
	e.dir.mu.Unlock()
	ctx := context.Background()
	p, err := gooidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(clientID, upn, pw string) *http.Response {
		t.Helper()
		resp := authorize(t, e, browser(t), authQuery(clientID, redirectURI, challenge(verifier), "S256"), upn, pw)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, upn := range []string{"bob@example.com", "alice@example.com"} {
		resp := signIn("open", upn, "pw-"+strings.TrimSuffix(upn, "@example.com"))
		loc, _ := url.Parse(resp.Header.Get("Location"))
		c := loc.Query().Get("code")
		if resp.StatusCode != http.StatusFound || c == "" {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s at app2 (assignment not required) = %d %q %s, want a code", upn, resp.StatusCode, loc, b)
		}
		tr := exchange(t, e, codeForm(c, verifier), "open", secret)
		if tr.status != http.StatusOK {
			t.Fatalf("token for %s = %+v, want 200", upn, tr)
		}
		idt, err := p.Verifier(&gooidc.Config{ClientID: "open"}).Verify(ctx, tr.IDToken)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if claims["sub"] != "id-"+upn {
			t.Errorf("sub = %v, want id-%s", claims["sub"], upn)
		}
		if r, ok := claims["roles"]; ok {
			t.Errorf("%s roles = %v, want none (no assignment to app2)", upn, r)
		}
	}
	// Disabled user: refused even though assignment is not required.
	if resp := signIn("open", "carol@example.com", "pw-carol"); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
		t.Errorf("disabled user at app2 = %d %q, want 403 page", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The default: bob is not assigned to app1.
	if resp := signIn("web", "bob@example.com", "pw-bob"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unassigned user at app1 (assignment required) = %d, want 403", resp.StatusCode)
	}
}
