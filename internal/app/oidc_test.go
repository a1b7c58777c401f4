package app

import (
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/secretbox"
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
	_, err = a.dir.AssignUser(ctx, app.ID, direct.ObjectID, "Admin")
	steps = append(steps, err)
	_, err = a.dir.AssignUser(ctx, app.ID, member.ObjectID, "Writer")
	steps = append(steps, err)
	_, err = a.dir.AssignGroup(ctx, app.ID, g.ObjectID, "Reader")
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
	for _, tt := range []struct {
		name string
		id   string
		want []string
	}{
		{"direct", direct.ObjectID, []string{"Admin"}},
		{"direct and through a group", member.ObjectID, []string{"Writer", "Reader"}},
		{"not assigned", other.ObjectID, nil},
		{"disabled member", disabled.ObjectID, nil},
	} {
		if got, err := d.AppRoles(ctx, app.ID, tt.id); !slices.Equal(got, tt.want) || err != nil {
			t.Errorf("AppRoles(%s) = %v, %v, want %v", tt.name, got, err, tt.want)
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
	key, err := secretbox.LoadKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secretbox.New(key)
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
	ks, err := loadOIDCKeys(t.Context(), oidcKeyService(a.store, box), a.store.OIDC(), box, slog.New(slog.DiscardHandler))
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
			"scope": {"openid"}, "code_challenge": {pkceChallenge}, "code_challenge_method": {"S256"}}.Encode()
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

// The PKCE pair of RFC 7636 Appendix B.
const (
	pkceVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	pkceChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	portalCB      = "https://portal.example.com/cb"
)

// ssoClient is the application "Portal" with a confidential client whose
// redirect URI is portalCB, and its assigned user alice@example.com.
type ssoClient struct {
	userID, clientID, secret string
}

// setUpSSO creates alice (password "correct horse battery"), the
// application "Portal", alice's assignment with role and the client.
func setUpSSO(t *testing.T, a *App, role string) ssoClient {
	t.Helper()
	ctx := t.Context()
	u, err := a.dir.CreateUser(ctx, directory.User{UserPrincipalName: "alice@example.com", DisplayName: "Alice", MailNickname: "alice", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.dir.SetPassword(ctx, u.ObjectID, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.CreateApp(ctx, "Portal"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.AssignUser(ctx, "Portal", u.ObjectID, role); err != nil {
		t.Fatal(err)
	}
	c, secret, err := a.dir.SetSSOClient(ctx, "Portal", []string{portalCB}, false)
	if err != nil {
		t.Fatal(err)
	}
	return ssoClient{userID: u.ObjectID, clientID: c.ClientID, secret: secret}
}

// signInForCode signs alice in at the provider under base through its
// login page (authorization code flow with PKCE) and returns the code.
func signInForCode(t *testing.T, base string, c ssoClient, scope string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), portalCB) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := hc.Get(base + "/oidc/authorize?" + url.Values{"client_id": {c.clientID}, "redirect_uri": {portalCB}, "response_type": {"code"},
		"scope": {scope}, "code_challenge": {pkceChallenge}, "code_challenge_method": {"S256"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("login page has no %s field: %d %s", name, resp.StatusCode, body)
		}
		return string(m[1])
	}
	resp, err = hc.PostForm(resp.Request.URL.String(), url.Values{"id": {field("id")}, "csrf": {field("csrf")},
		"username": {"alice@example.com"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if resp.StatusCode != http.StatusFound || code == "" {
		t.Fatalf("sign-in = %d %q, want a redirect with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	return code
}

// TestOIDCSignInEndToEnd: an assigned user with a directory password signs
// in through the real server and gets a code that redeems for tokens.
func TestOIDCSignInEndToEnd(t *testing.T) {
	a, _ := serveApp(t, testConfig(t))
	c := setUpSSO(t, a, "")
	code := signInForCode(t, a.BaseURL(), c, "openid profile")
	req, _ := http.NewRequest(http.MethodPost, a.BaseURL()+"/oidc/oauth/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {portalCB}, "code_verifier": {pkceVerifier}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.clientID, c.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.IDToken == "" {
		t.Errorf("token = %d, %v, want 200 with an id_token", resp.StatusCode, err)
	}
}

// TestOIDCKeysRotatedElsewhere: a key rotated through the key service
// (another node, or the CLI) is published and signs on this node once it
// re-reads the keys, without a restart; the old key stays published.
func TestOIDCKeysRotatedElsewhere(t *testing.T) {
	cfg := testConfig(t)
	a, _ := serveApp(t, cfg)
	key, err := secretbox.LoadKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := loadOIDCKeys(t.Context(), a.keys, a.store.OIDC(), box, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	old := ks.Keys()
	k, _, err := a.keys.Rotate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ks.Reload(t.Context())
	got := ks.Keys()
	if len(old) != 1 || len(got) != 2 || got[0].ID != old[0].ID || got[1].ID != k.ID {
		t.Errorf("keys after a rotation elsewhere = %v, want the old key then the new one (signing)", got)
	}
}
