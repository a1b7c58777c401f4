package app

import (
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/store"
)

// TestOIDCMounted: discovery and JWKS are served under /oidc with the
// issuer <public-url>/oidc.
func TestOIDCMounted(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	resp, err := http.Get(a.BaseURL() + "/oidc/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta struct {
		Issuer string `json:"issuer"`
		JWKS   string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET discovery = %d, %v, want 200 JSON", resp.StatusCode, err)
	}
	if want := a.BaseURL() + "/oidc"; meta.Issuer != want {
		t.Errorf("issuer = %q, want %q", meta.Issuer, want)
	}
	if got := get(t, meta.JWKS, ""); got != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", meta.JWKS, got)
	}
}

// TestOIDCDirectory: users assigned directly or through a group are
// assigned; others, and disabled users, are not.
func TestOIDCDirectory(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	ctx := t.Context()
	user := func(upn string, enabled bool) directory.User {
		u, err := a.dir.CreateUser(ctx, directory.User{UserPrincipalName: upn, DisplayName: upn, MailNickname: upn[:1], AccountEnabled: enabled})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	direct, member, other, disabled := user("d@example.com", true), user("m@example.com", true), user("o@example.com", true), user("x@example.com", false)
	app, err := a.dir.CreateApp(ctx, "Portal")
	if err != nil {
		t.Fatal(err)
	}
	g, err := a.dir.CreateGroup(ctx, directory.Group{DisplayName: "G", MailNickname: "g"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{}
	_, err = a.dir.AddMembers(ctx, g.ObjectID, []string{member.ObjectID, disabled.ObjectID})
	steps = append(steps, err)
	_, err = a.dir.AssignUser(ctx, app.ID, direct.ObjectID, "")
	steps = append(steps, err)
	_, err = a.dir.AssignGroup(ctx, app.ID, g.ObjectID, "")
	steps = append(steps, err)
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	d := oidcDirectory{dir: a.dir, src: a.store.Directory()}
	for _, tt := range []struct {
		name string
		id   string
		want bool
	}{
		{"direct", direct.ObjectID, true},
		{"through a group", member.ObjectID, true},
		{"not assigned", other.ObjectID, false},
		{"disabled member", disabled.ObjectID, false},
	} {
		if got, err := d.Assigned(ctx, app.ID, tt.id); got != tt.want || err != nil {
			t.Errorf("Assigned(%s) = %v, %v, want %v", tt.name, got, err, tt.want)
		}
	}
	u, err := d.User(ctx, direct.ObjectID)
	if err != nil || u.UserPrincipalName != "d@example.com" || u.ID != direct.ObjectID || !u.Enabled {
		t.Errorf("User(direct) = %+v, %v, want d@example.com", u, err)
	}
}

// TestOIDCKeysPersisted: the first start generates and stores a sealed
// key; the next start loads the same one.
func TestOIDCKeysPersisted(t *testing.T) {
	cfg := testConfig(t)
	a, _ := serveApp(t, cfg)
	box, err := loadBox(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := a.store.OIDC().OIDCKeys(t.Context())
	if err != nil || len(stored) != 1 {
		t.Fatalf("OIDCKeys() after start = %d keys, %v, want 1", len(stored), err)
	}
	if _, err := x509.ParsePKCS8PrivateKey(stored[0].Private); err == nil {
		t.Error("stored key parses as PKCS#8, want it sealed")
	}
	ks, err := loadOIDCKeys(t.Context(), a.store.OIDC(), box)
	if err != nil {
		t.Fatal(err)
	}
	if got := ks.Keys(); len(got) != 1 || got[0].ID != stored[0].ID {
		t.Errorf("loadOIDCKeys() on restart = %v, want the stored key %s", got, stored[0].ID)
	}
}

// TestOIDCClientFromStore: a client stored for an application is the
// one the authorize endpoint checks (exact redirect URI).
func TestOIDCClientFromStore(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	ctx := t.Context()
	app, err := a.dir.CreateApp(ctx, "Portal")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.OIDC().PutOIDCClient(ctx, store.OIDCClient{AppID: app.ID, ClientID: "c1", SecretHash: dirsvc.HashClientSecret("s"),
		RedirectURIs: []string{"https://app.example.com/cb"}, Updated: time.Now()}); err != nil {
		t.Fatal(err)
	}
	q := func(redirect string) string {
		return a.BaseURL() + "/oidc/authorize?" + url.Values{"client_id": {"c1"}, "redirect_uri": {redirect}, "response_type": {"code"},
			"scope": {"openid"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}.Encode()
	}
	for _, tt := range []struct {
		name, url string
		want      int
	}{
		{"registered redirect URI: login page", q("https://app.example.com/cb"), http.StatusOK},
		{"other redirect URI", q("https://app.example.com/cb/other"), http.StatusBadRequest},
	} {
		if got := get(t, tt.url, ""); got != tt.want {
			t.Errorf("%s: GET authorize = %d, want %d", tt.name, got, tt.want)
		}
	}
}
