package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// fullResp is a token endpoint answer with the refresh token.
type fullResp struct {
	status       int
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
}

func post(t *testing.T, u string, form url.Values, user, pass string) fullResp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	fr := fullResp{status: resp.StatusCode}
	_ = json.NewDecoder(resp.Body).Decode(&fr) // revocation answers an empty body
	return fr
}

// offlineCode runs a browser flow asking for offline_access and returns
// the code.
func offlineCode(t *testing.T, e *env, clientID string) string {
	t.Helper()
	q := authQuery(clientID, redirectURI, challenge(verifier), "S256")
	q.Set("scope", "openid profile email offline_access")
	resp := authorize(t, e, browser(t), q, "alice@example.com", "pw-alice")
	defer resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	c := loc.Query().Get("code")
	if resp.StatusCode != http.StatusFound || c == "" {
		t.Fatalf("authorize(offline_access) = %d %q, want a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

// tokens redeems a fresh offline_access code of the web client.
func tokens(t *testing.T, e *env) fullResp {
	t.Helper()
	tr := post(t, e.issuer+"/oauth/token", codeForm(offlineCode(t, e, "web"), verifier), "web", secret)
	if tr.status != http.StatusOK || tr.RefreshToken == "" || tr.AccessToken == "" {
		t.Fatalf("token(offline_access) = %+v, want 200 with a refresh token", tr)
	}
	return tr
}

func refresh(t *testing.T, e *env, rt string) fullResp {
	t.Helper()
	return post(t, e.issuer+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, "web", secret)
}

// userinfo returns the status of GET userinfo with the access token.
func userinfo(t *testing.T, e *env, at string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var claims map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&claims)
	return resp.StatusCode, claims
}

func wantErr(t *testing.T, what string, got fullResp, status int, code string) {
	t.Helper()
	if got.status != status || got.Error != code || got.AccessToken != "" || got.IDToken != "" {
		t.Errorf("%s = %d %q (tokens %v), want %d %s and no tokens", what, got.status, got.Error, got.AccessToken != "", status, code)
	}
}

// TestCodeRefused: each way of redeeming a code wrongly gets its exact
// OAuth error (RFC 6749 §5.2).
func TestCodeRefused(t *testing.T) {
	e := newEnv(t)
	tok := e.issuer + "/oauth/token"

	f := codeForm(code(t, e, "web"), verifier)
	f.Set("redirect_uri", "https://app.example.com/other")
	wantErr(t, "token(wrong redirect_uri)", post(t, tok, f, "web", secret), http.StatusBadRequest, "invalid_grant")

	c := code(t, e, "web")
	e.advance(6 * time.Minute) // codes live 5 minutes
	wantErr(t, "token(expired code)", post(t, tok, codeForm(c, verifier), "web", secret), http.StatusBadRequest, "invalid_grant")

	c = code(t, e, "native")
	f = codeForm(c, "")
	f.Set("client_id", "native")
	wantErr(t, "token(public client, PKCE verifier missing)", post(t, tok, f, "", ""), http.StatusBadRequest, "invalid_request")
	f = codeForm(code(t, e, "native"), "wrong-verifier-wrong-verifier-wrong-verifier-123")
	f.Set("client_id", "native")
	wantErr(t, "token(public client, PKCE verifier wrong)", post(t, tok, f, "", ""), http.StatusBadRequest, "invalid_grant")

	wantErr(t, "token(wrong client secret)", post(t, tok, codeForm(code(t, e, "web"), verifier), "web", "wrong"), http.StatusUnauthorized, "invalid_client")
	wantErr(t, "token(other client's code)", post(t, tok, codeForm(code(t, e, "native"), verifier), "web", secret), http.StatusBadRequest, "invalid_grant")
}

// TestReusedCodeRevokesTokens: a code redeemed twice is invalid_grant,
// and the tokens issued from it stop working (RFC 6749 §4.1.2).
func TestReusedCodeRevokesTokens(t *testing.T) {
	e := newEnv(t)
	c := offlineCode(t, e, "web")
	first := post(t, e.issuer+"/oauth/token", codeForm(c, verifier), "web", secret)
	if first.status != http.StatusOK {
		t.Fatalf("token = %+v", first)
	}
	if st, _ := userinfo(t, e, first.AccessToken); st != http.StatusOK {
		t.Fatalf("userinfo before reuse = %d, want 200", st)
	}
	wantErr(t, "token(reused code)", post(t, e.issuer+"/oauth/token", codeForm(c, verifier), "web", secret), http.StatusBadRequest, "invalid_grant")
	if st, _ := userinfo(t, e, first.AccessToken); st == http.StatusOK {
		t.Errorf("userinfo with the reused code's access token = %d, want refused", st)
	}
	wantErr(t, "refresh(reused code's refresh token)", refresh(t, e, first.RefreshToken), http.StatusBadRequest, "invalid_grant")
}

// TestRefreshRotation: each refresh returns a new refresh token; the old
// one presented again is invalid_grant and revokes the whole family, the
// newest token included (RFC 9700 §4.14.2). Runs on two nodes sharing
// the store behind a round-robin balancer.
func TestRefreshRotation(t *testing.T) {
	e := newEnv(t, 2)
	tr := tokens(t, e)
	r1 := refresh(t, e, tr.RefreshToken)
	if r1.status != http.StatusOK || r1.RefreshToken == "" || r1.RefreshToken == tr.RefreshToken || r1.IDToken == "" {
		t.Fatalf("refresh = %+v, want 200 with a new refresh token and id_token", r1)
	}
	r2 := refresh(t, e, r1.RefreshToken)
	if r2.status != http.StatusOK {
		t.Fatalf("refresh(rotated token) = %+v, want 200", r2)
	}
	wantErr(t, "refresh(old, already rotated token)", refresh(t, e, tr.RefreshToken), http.StatusBadRequest, "invalid_grant")
	wantErr(t, "refresh(newest token after the family was revoked)", refresh(t, e, r2.RefreshToken), http.StatusBadRequest, "invalid_grant")
	if st, _ := userinfo(t, e, r2.AccessToken); st == http.StatusOK {
		t.Errorf("userinfo with the revoked family's access token = %d, want refused", st)
	}
	wantErr(t, "refresh(unknown token)", refresh(t, e, "nope"), http.StatusBadRequest, "invalid_grant")
}

// TestRefreshNeedsOfflineAccess: without offline_access no refresh token.
func TestRefreshNeedsOfflineAccess(t *testing.T) {
	e := newEnv(t)
	tr := post(t, e.issuer+"/oauth/token", codeForm(code(t, e, "web"), verifier), "web", secret)
	if tr.status != http.StatusOK || tr.RefreshToken != "" {
		t.Errorf("token(no offline_access) = %+v, want 200 without a refresh token", tr)
	}
}

// TestRefreshRefusedForLostAccess: a user disabled, deleted or unassigned
// after sign-in gets invalid_grant on the next refresh, at once, and
// userinfo refuses their access token.
func TestRefreshRefusedForLostAccess(t *testing.T) {
	const alice = "id-alice@example.com"
	for _, tt := range []struct {
		name   string
		change func(d fakeDir)
	}{
		{"disabled", func(d fakeDir) { u := d.users[alice]; u.Enabled = false; d.users[alice] = u }},
		{"deleted", func(d fakeDir) { delete(d.users, alice) }},
		{"unassigned", func(d fakeDir) { delete(d.assigned, "app1/"+alice) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tr := tokens(t, e)
			e.dir.mu.Lock()
			tt.change(e.dir)
			e.dir.mu.Unlock()
			if st, _ := userinfo(t, e, tr.AccessToken); st == http.StatusOK {
				t.Errorf("userinfo(%s user) = %d, want refused", tt.name, st)
			}
			wantErr(t, "refresh("+tt.name+" user)", refresh(t, e, tr.RefreshToken), http.StatusBadRequest, "invalid_grant")
		})
	}
}

// TestRevocation: RFC 7009. Revoking a refresh token ends its grant
// (access tokens too); revoking an access token ends it alone; another
// client cannot revoke; unknown tokens are 200.
func TestRevocation(t *testing.T) {
	e := newEnv(t)
	rev := e.issuer + "/revoke"
	tr := tokens(t, e)
	if got := post(t, rev, url.Values{"token": {tr.RefreshToken}}, "web", secret); got.status != http.StatusOK {
		t.Fatalf("revoke(refresh token) = %+v, want 200", got)
	}
	wantErr(t, "refresh(revoked token)", refresh(t, e, tr.RefreshToken), http.StatusBadRequest, "invalid_grant")
	if st, _ := userinfo(t, e, tr.AccessToken); st == http.StatusOK {
		t.Errorf("userinfo(access token of a revoked grant) = %d, want refused", st)
	}

	tr = tokens(t, e)
	f := url.Values{"token": {tr.AccessToken}, "token_type_hint": {"access_token"}, "client_id": {"native"}}
	if got := post(t, rev, f, "", ""); got.status != http.StatusBadRequest || got.Error != "unauthorized_client" {
		t.Errorf("revoke(another client's token) = %+v, want 400 unauthorized_client", got)
	}
	if st, _ := userinfo(t, e, tr.AccessToken); st != http.StatusOK {
		t.Errorf("userinfo after another client's revoke = %d, want 200", st)
	}
	if got := post(t, rev, url.Values{"token": {tr.AccessToken}, "token_type_hint": {"access_token"}}, "web", secret); got.status != http.StatusOK {
		t.Fatalf("revoke(access token) = %+v, want 200", got)
	}
	if st, _ := userinfo(t, e, tr.AccessToken); st == http.StatusOK {
		t.Errorf("userinfo(revoked access token) = %d, want refused", st)
	}
	if r := refresh(t, e, tr.RefreshToken); r.status != http.StatusOK {
		t.Errorf("refresh after revoking only the access token = %+v, want 200", r)
	}
	if got := post(t, rev, url.Values{"token": {"unknown"}}, "web", secret); got.status != http.StatusOK {
		t.Errorf("revoke(unknown token) = %+v, want 200 (RFC 7009 §2.2)", got)
	}
}

// TestIDTokenVerification: a verifier (go-oidc) accepts the id_token,
// refuses it with a tampered signature or payload, and once expired.
func TestIDTokenVerification(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tr := tokens(t, e)
	p, err := gooidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Verifier(&gooidc.Config{ClientID: "web"})
	idt, err := v.Verify(ctx, tr.IDToken)
	if err != nil {
		t.Fatalf("Verify(id_token) = %v", err)
	}
	var claims struct {
		Roles []string `json:"roles"`
	}
	if err := idt.Claims(&claims); err != nil || !slices.Equal(claims.Roles, []string{"Admin", "Reader"}) {
		t.Errorf("id_token roles = %v, %v, want [Admin Reader]", claims.Roles, err)
	}
	if st, ui := userinfo(t, e, tr.AccessToken); st != http.StatusOK || len(ui["roles"].([]any)) != 2 {
		t.Errorf("userinfo = %d %v, want roles", st, ui)
	}

	parts := strings.Split(tr.IDToken, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 0xff
	tampered := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	if _, err := v.Verify(ctx, tampered); err == nil {
		t.Error("Verify(tampered signature) = nil, want refused")
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := strings.Replace(string(payload), "alice", "mallory", 1)
	if _, err := v.Verify(ctx, parts[0]+"."+base64.RawURLEncoding.EncodeToString([]byte(forged))+"."+parts[2]); err == nil {
		t.Error("Verify(tampered payload) = nil, want refused")
	}
	late := p.Verifier(&gooidc.Config{ClientID: "web", Now: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	if _, err := late.Verify(ctx, tr.IDToken); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("Verify(2 hours later) = %v, want token expired", err)
	}
}

// TestKeyRotationVerifies: after a rotation new id_tokens are signed with
// the new key, and a token signed before still verifies (the old key
// stays in the JWKS until retired).
func TestKeyRotationVerifies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := tokens(t, e)
	k, err := e.keys.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	after := tokens(t, e)
	p, err := gooidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Verifier(&gooidc.Config{ClientID: "web"})
	for name, tok := range map[string]string{"before": before.IDToken, "after": after.IDToken} {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Errorf("Verify(id_token %s rotation) = %v", name, err)
		}
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(after.IDToken, ".")[0])
	if !strings.Contains(string(hdr), k.ID) {
		t.Errorf("id_token after rotation header = %s, want kid %s", hdr, k.ID)
	}
}
