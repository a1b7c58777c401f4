package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// relyingParty is the UI's client at Provisio's OpenID provider,
// discovered on first use (OpenID Connect Discovery 1.0 §4) and kept.
type relyingParty struct {
	cfg      Config
	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newRelyingParty(cfg Config) *relyingParty { return &relyingParty{cfg: cfg} }

func (p *relyingParty) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, p.cfg.ProviderClient)
}

func (p *relyingParty) get(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oauth != nil {
		return p.oauth, p.verifier, nil
	}
	// The provider keeps the context for its later JWKS fetches: not
	// bound to this request.
	prov, err := oidc.NewProvider(p.clientContext(context.WithoutCancel(ctx)), p.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discover issuer %q: %w", p.cfg.Issuer, err)
	}
	p.oauth = &oauth2.Config{ClientID: ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: prov.Endpoint(),
		RedirectURL: p.cfg.BaseURL + Prefix + "callback", Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	p.verifier = prov.Verifier(&oidc.Config{ClientID: ClientID, Now: p.cfg.Now})
	return p.oauth, p.verifier, nil
}

func signInRoutes() []route {
	return []route{
		{method: "GET", path: "login", h: (*UI).login},
		{method: "GET", path: "callback", h: (*UI).callback},
		{method: "POST", path: "logout", h: (*UI).logout},
	}
}

// login redirects to the provider's authorization endpoint (OpenID
// Connect Core 1.0 §3.1.2.1) with state, nonce and PKCE S256.
func (u *UI) login(req *request) error {
	oc, _, err := u.rp.get(req.Ctx)
	if err != nil {
		return err
	}
	ls := loginState{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(req.R.URL.Query().Get("next")), Expires: u.cfg.Now().Add(loginTTL)}
	if err := u.cookies.set(req.W, req.R, loginCookie, ls, ls.Expires); err != nil {
		return err
	}
	http.Redirect(req.W, req.R, oc.AuthCodeURL(ls.State, oidc.Nonce(ls.Nonce), oauth2.S256ChallengeOption(ls.Verifier)), http.StatusFound)
	return nil
}

// safeNext keeps a post-sign-in destination only if it is a path of the
// UI (no open redirect).
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix
	}
	return next
}

// callback completes the code flow (Core §3.1.2.5–§3.1.3.7): state, code
// exchange with the PKCE verifier, ID token and nonce, then the
// administrator check.
func (u *UI) callback(req *request) error {
	w, r := req.W, req.R
	var ls loginState
	err := u.cookies.get(r, loginCookie, &ls)
	u.cookies.clear(w, r, loginCookie)
	q := r.URL.Query()
	if err != nil || !u.cfg.Now().Before(ls.Expires) || q.Get("state") == "" || q.Get("state") != ls.State {
		u.renderSignedOut(w, http.StatusBadRequest, "This sign-in link is invalid or has expired. Please sign in again.")
		return nil
	}
	if e := q.Get("error"); e != "" {
		u.log.InfoContext(r.Context(), "web: sign-in refused by the provider", "error", e)
		u.renderSignedOut(w, http.StatusForbidden, "The identity provider did not sign you in.")
		return nil
	}
	oc, verifier, err := u.rp.get(req.Ctx)
	if err != nil {
		return err
	}
	ctx := u.rp.clientContext(r.Context())
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		return fmt.Errorf("exchange code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return fmt.Errorf("verify id token: %w", err)
	}
	if idt.Nonce != ls.Nonce {
		return fmt.Errorf("id token: nonce mismatch")
	}
	var claims struct {
		PreferredUsername string `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil {
		return fmt.Errorf("id token claims: %w", err)
	}
	ok, err := u.cfg.Admins.IsAdmin(r.Context(), idt.Subject)
	if err != nil {
		return fmt.Errorf("is %s an administrator: %w", idt.Subject, err)
	}
	if !ok {
		u.log.InfoContext(r.Context(), "web: sign-in refused: not an administrator", "subject", idt.Subject)
		u.renderSignedOut(w, http.StatusForbidden, "You are not an administrator of Provisio.")
		return nil
	}
	s := session{UserID: idt.Subject, UPN: claims.PreferredUsername, CSRF: rand.Text(), Expires: u.cfg.Now().Add(u.cfg.SessionTTL)}
	if err := u.cookies.set(w, r, sessionCookie, s, s.Expires); err != nil {
		return err
	}
	u.log.InfoContext(r.Context(), "web: administrator signed in", "upn", s.UPN)
	http.Redirect(w, r, ls.Next, http.StatusSeeOther)
	return nil
}

// logout ends the session (a POST with the session's CSRF token).
func (u *UI) logout(req *request) error {
	var s session
	if err := u.cookies.get(req.R, sessionCookie, &s); err == nil && validCSRF(req.R, &s) {
		u.cookies.clear(req.W, req.R, sessionCookie)
		u.renderSignedOut(req.W, http.StatusOK, "You are signed out.")
		return nil
	}
	u.renderError(req.W, req.R, nil, http.StatusForbidden, "The form expired. Reload the page and try again.")
	return nil
}

func (u *UI) renderSignedOut(w http.ResponseWriter, status int, msg string) {
	u.render(w, nil, status, "signedout", view{Title: "Sign in", Notice: msg})
}
