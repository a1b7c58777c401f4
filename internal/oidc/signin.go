package oidc

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/provisio-dev/provisio/internal/clientip"
)

// SignIn configures the provider's pages for people: the sign-in page's
// throttling, the sign-in session, and invite links.
type SignIn struct {
	// SessionTTL is how long a sign-in session lets a second authorize
	// skip the password page (0: DefaultSessionTTL).
	SessionTTL time.Duration
	// Sealer seals the session cookie; nil: AES-256-GCM under
	// Config.CryptoKey (sessions then end when the key changes).
	Sealer   Sealer
	Throttle Throttle
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client address the throttle counts (serve --trusted-proxies);
	// the zero value trusts none: the TCP peer is the client.
	TrustedProxies clientip.Proxies
	// Invites redeems invite links at /invite/<token>; nil: no page.
	Invites Invites
}

// Invites redeems a one-time invite link (dirsvc.RedeemInvite): it sets
// the password of the token's user, once, before the link expires.
type Invites interface {
	// RedeemInvite returns an error wrapping ErrInvalidInvite for an
	// unknown, used or expired token, or ErrWeakPassword for a password
	// the policy refuses.
	RedeemInvite(ctx context.Context, token, password string) error
}

// Invite redemption refusals.
var (
	ErrInvalidInvite = errors.New("invite link is invalid, used or expired")
	ErrWeakPassword  = errors.New("password refused by policy")
)

// Paths of the people-facing pages, relative to the issuer.
const (
	invitePath    = "/invite/"
	loggedOutPath = "/logged-out"
)

// mountSignIn mounts the sign-in page, the invite page, the signed-out
// page and a wrapper of the end-session endpoint that also ends the
// sign-in session; everything else goes to the provider p.
func mountSignIn(mux *http.ServeMux, p *op.Provider, st *storage, cfg Config) {
	secure := strings.HasPrefix(cfg.Issuer, "https://")
	path := "/"
	if u, err := url.Parse(cfg.Issuer); err == nil && u.Path != "" {
		path = strings.TrimSuffix(u.Path, "/") + "/"
	}
	box := cfg.SignIn.Sealer
	if box == nil {
		box = newSealer(cfg.CryptoKey)
	}
	l := &login{
		st:       st,
		auth:     cfg.Auth,
		dir:      cfg.Directory,
		callback: op.AuthCallbackURL(p),
		secure:   secure,
		path:     path,
		now:      cfg.Now,
		throttle: newThrottle(cfg.SignIn.Throttle),
		proxies:  cfg.SignIn.TrustedProxies,
		sessions: newSessions(box, cfg.SignIn.SessionTTL, path, secure, cfg.Now),
		fail: func(w http.ResponseWriter, r *http.Request, a op.AuthRequest, err error) {
			op.AuthRequestError(w, r, a, err, p)
		},
	}
	intercept := op.NewIssuerInterceptor(p.IssuerFromRequest)
	mux.Handle(loginPath, intercept.Handler(l))
	mux.Handle(p.EndSessionEndpoint().Relative(), endSession{l.sessions, p})
	mux.HandleFunc(loggedOutPath, func(w http.ResponseWriter, r *http.Request) {
		renderPage(w, http.StatusOK, messagePage, message{Title: "Signed out", Text: "You are signed out."})
	})
	if cfg.SignIn.Invites != nil {
		mux.Handle(invitePath, &invite{inv: cfg.SignIn.Invites, secure: secure, path: path})
	}
	mux.Handle("/", p)
}

// endSession wraps the provider's end-session endpoint (OpenID Connect
// RP-Initiated Logout 1.0 §2): the provider validates id_token_hint,
// client_id and post_logout_redirect_uri (exact match with the client's
// registered ones) and ends the client's tokens; the wrapper ends the
// browser's sign-in session first, so the next authorize asks for the
// password again.
type endSession struct {
	sessions *sessions
	next     http.Handler
}

func (e endSession) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.sessions.end(w, r)
	e.next.ServeHTTP(w, r)
}

// promptOf returns the request's prompt values and max_age (OpenID
// Connect Core 1.0 §3.1.2.1; op sets max_age 0 for prompt=login).
func promptOf(a op.AuthRequest) (prompt []string, maxAge *uint) {
	if r, ok := a.(*authRequest); ok {
		return r.rec.Req.Prompt, r.rec.Req.MaxAge
	}
	return nil, nil
}

// sessionUsable reports whether a sign-in session authenticated at
// authTime may answer the request without asking for the password.
func sessionUsable(a op.AuthRequest, authTime, now time.Time) bool {
	prompt, maxAge := promptOf(a)
	if slices.Contains(prompt, oidc.PromptLogin) || slices.Contains(prompt, oidc.PromptSelectAccount) {
		return false
	}
	return maxAge == nil || now.Sub(authTime) < time.Duration(*maxAge)*time.Second
}

// completeAt marks the request authenticated by userID at authTime (the
// session's, so auth_time tells the relying party how old the password
// check is), if the user is assigned to the client's application.
func (s *storage) completeAt(ctx context.Context, id, userID string, authTime time.Time) error {
	if err := s.complete(ctx, id, userID); err != nil {
		return err
	}
	r, err := s.AuthRequestByID(ctx, id)
	if err != nil {
		return err
	}
	a := r.(*authRequest)
	a.rec.AuthTime = authTime
	return s.put(ctx, a, "", a.rec.Created.Add(authRequestTTL))
}

type message struct{ Title, Text string }

var messagePage = template.Must(template.New("message").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1><p role="status">{{.Text}}</p></body></html>
`))

// renderPage writes an HTML page with the headers every page here has.
func renderPage(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.Execute(w, data); err != nil {
		slog.Error("oidc: render page", "page", t.Name(), "err", err)
	}
}
