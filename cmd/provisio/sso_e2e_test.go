package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/portal/portaltest"
)

// TestPortalSignIn walks issue 13's loop on the application side: a
// tenant given an OpenID provider with `tenant sso`, a user provisioned
// over SCIM signs in at /app/TENANT/ and sees their profile; deactivated
// over SCIM, the next request ends the session.
func TestPortalSignIn(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	a := s.createTenant(t, "Contoso")
	op := portaltest.NewOP(t)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(portaltest.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var sso map[string]any
	s.cliJSON(t, &sso, "tenant", "sso", a.ID, "--issuer", op.URL(), "--client-id", portaltest.ClientID, "--client-secret-file", secret)
	if sso["issuer"] != op.URL() || sso["client_secret"] != nil {
		t.Errorf("tenant sso --json = %v, want the issuer and no secret", sso)
	}
	var list struct {
		Tenants []struct {
			ID  string         `json:"id"`
			SSO map[string]any `json:"sso"`
		} `json:"tenants"`
	}
	s.cliJSON(t, &list, "tenant", "list")
	if len(list.Tenants) != 1 || list.Tenants[0].SSO["client_id"] != portaltest.ClientID {
		t.Errorf("tenant list --json = %+v, want the tenant with its sso", list)
	}

	created := scimDo(t, "POST", a.TenantURL+"/Users", a.Token, userJSON("ann@contoso.com"))
	id, _ := created.body["id"].(string)
	if created.status != http.StatusCreated || id == "" {
		t.Fatalf("create user = %d %s", created.status, created.raw)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	get := func() (int, string) {
		t.Helper()
		resp, err := browser.Get(s.base + "/app/" + a.ID + "/")
		if err != nil {
			t.Fatalf("GET portal: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	op.SignInAs(map[string]any{"sub": "s1", "preferred_username": "ann@contoso.com"})
	if got, body := get(); got != http.StatusOK || !strings.Contains(body, "ann@contoso.com") || !strings.Contains(body, `<dd id="name">A B</dd>`) {
		t.Fatalf("sign in = %d %s, want 200 with the profile", got, body)
	}
	deactivate := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	if r := scimDo(t, "PATCH", a.TenantURL+"/Users/"+id, a.Token, deactivate); r.status >= 300 {
		t.Fatalf("deactivate = %d %s", r.status, r.raw)
	}
	if got, body := get(); got != http.StatusForbidden {
		t.Errorf("GET after deactivation = %d %s, want 403", got, body)
	}
	if got, _ := get(); got != http.StatusForbidden {
		t.Errorf("sign in again while inactive = %d, want 403", got)
	}
}
