// Package web is Provisio's admin web UI, served under /ui/: server-rendered
// pages (html/template, go:embed; no CDN, no build step) for administrators
// who sign in through Provisio's own OpenID provider (signin.go).
//
// The pages hold no logic of their own: they call the admin API through its
// typed client (internal/apiclient) over a RoundTripper that serves each
// request in-process with the API's handler (Config.API, adminapi's
// InProcess), as the signed-in administrator (client.go), so the audit log
// names them.
//
// Adding a page is one .go file that registers its routes in an init
// function (see apps.go) and one template under templates/ that defines
// "title" and "content" (see docs/web.md).
//
// Security (docs/web.md): a strict Content-Security-Policy (no inline
// script or style), X-Frame-Options DENY, a session-bound CSRF token on
// every form plus net/http's cross-origin protection (Sec-Fetch-Site,
// Origin), an encrypted (secretbox) HttpOnly SameSite=Lax session cookie,
// Secure over HTTPS, and no secret ever rendered back.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/sealedcookie"
	"github.com/provisio-dev/provisio/internal/secretbox"
)

// Prefix is where the UI is mounted.
const Prefix = "/ui/"

// ClientID is the client_id of the UI's built-in OpenID client, whose
// redirect URI is <public-url>/ui/callback.
const ClientID = "provisio-admin-ui"

// Admins says who may use the UI: userID is the directory object id (the
// ID token's sub).
type Admins interface {
	IsAdmin(ctx context.Context, userID string) (bool, error)
}

// Defaults of Config.
const (
	DefaultSessionTTL = 8 * time.Hour
	loginTTL          = 10 * time.Minute
)

// Config configures [New]. Every field but SessionTTL, Logger and Now is
// required.
type Config struct {
	// API serves the admin API in-process for an authenticated actor
	// (adminapi's InProcess): every page reads and writes through it.
	API http.Handler
	// Admins decides who may sign in.
	Admins Admins
	// BaseURL is the external base (<public-url>); the redirect URI is
	// BaseURL + "/ui/callback".
	BaseURL string
	// Issuer is the OpenID provider's issuer; ClientSecret the UI client's
	// secret there.
	Issuer       string
	ClientSecret string
	// ProviderClient reaches the provider (discovery, JWKS, token); nil:
	// http.DefaultClient.
	ProviderClient *http.Client
	// Key encrypts the cookies (secretbox.KeySize bytes).
	Key        []byte
	SessionTTL time.Duration // 0: DefaultSessionTTL
	Logger     *slog.Logger  // nil: slog.Default()
	Now        func() time.Time
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// UI is the admin web UI's handler.
type UI struct {
	cfg     Config
	log     *slog.Logger
	cookies cookies
	pages   map[string]*template.Template
	mux     *http.ServeMux
	rp      *relyingParty
}

// route is one page's endpoint: its method and path pattern (under
// Prefix), and whether it is public (no session needed).
type route struct {
	method, path string
	public       bool
	h            func(*UI, *request) error
}

// routes are registered by each page's file in its init function.
var routes []route

// handle registers a route that needs a signed-in administrator.
func handle(method, path string, h func(*UI, *request) error) {
	routes = append(routes, route{method: method, path: path, h: h})
}

// New returns the UI for cfg.
func New(cfg Config) (*UI, error) {
	box, err := secretbox.New(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("web cookie key: %w", err)
	}
	if cfg.API == nil || cfg.Admins == nil || cfg.BaseURL == "" || cfg.Issuer == "" || cfg.ClientSecret == "" {
		return nil, errors.New("web: API, Admins, BaseURL, Issuer and ClientSecret are required")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ProviderClient == nil {
		cfg.ProviderClient = http.DefaultClient
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	u := &UI{cfg: cfg, log: cfg.Logger, cookies: cookies{sealedcookie.Jar{Box: box, Now: cfg.Now, Secure: strings.HasPrefix(cfg.BaseURL, "https://")}}, mux: http.NewServeMux()}
	if u.log == nil {
		u.log = slog.Default()
	}
	if u.pages, err = parsePages(); err != nil {
		return nil, err
	}
	u.rp = newRelyingParty(cfg)
	static, _ := fs.Sub(staticFS, "static")
	u.mux.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", http.FileServerFS(static)))
	for _, rt := range signInRoutes() {
		rt.public = true
		u.mux.Handle(rt.method+" "+Prefix+rt.path, u.serve(rt))
	}
	for _, rt := range routes {
		u.mux.Handle(rt.method+" "+Prefix+rt.path, u.serve(rt))
	}
	return u, nil
}

// Register mounts the UI on mux at Prefix.
func (u *UI) Register(mux *http.ServeMux) {
	mux.Handle(Prefix, u)
	mux.Handle("GET /ui", http.RedirectHandler(Prefix, http.StatusMovedPermanently))
}

// csp is the Content-Security-Policy of every answer (CSP Level 3): only
// this origin's script, style and images; no inline code; no framing.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// crossOrigin rejects unsafe requests from another origin (Sec-Fetch-Site
// and Origin), a second line behind the CSRF token.
var crossOrigin = http.NewCrossOriginProtection()

// ServeHTTP serves the UI with its security headers.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if err := crossOrigin.Check(r); err != nil {
		u.renderError(w, r, nil, http.StatusForbidden, "This request came from another site and was refused.")
		return
	}
	u.mux.ServeHTTP(w, r)
}

// request is one page request: its writer, request, session (nil on
// public routes) and API client acting as the session's administrator.
type request struct {
	W   http.ResponseWriter
	R   *http.Request
	S   *session
	API *apiclient.Client
	Ctx context.Context
}

// serve runs a route: sign-in and admin check, CSRF check of unsafe
// methods, then the handler; an error it returns is shown as a page.
func (u *UI) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := &request{W: w, R: r, Ctx: r.Context()}
		if !rt.public {
			s, ok := u.session(w, r)
			if !ok {
				return
			}
			req.S = s
			req.Ctx = withActor(r.Context(), s)
			req.API = u.client()
			if r.Method != http.MethodGet && r.Method != http.MethodHead && !validCSRF(r, s) {
				u.renderError(w, r, s, http.StatusForbidden, "The form expired or did not come from this page. Reload the page and try again.")
				return
			}
		}
		if err := rt.h(u, req); err != nil {
			u.fail(w, r, req.S, err)
		}
	})
}

// validCSRF compares the form's csrf field with the session's token in
// constant time (the synchronizer token pattern, bound to the session).
func validCSRF(r *http.Request, s *session) bool {
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) == 1
}

// fail shows an error: the API's own message for its 4xx answers, a
// generic one (and a log line) otherwise.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	var ae *apiclient.Error
	if errors.As(err, &ae) && ae.Status < 500 {
		u.renderError(w, r, s, ae.Status, ae.Message)
		return
	}
	u.log.ErrorContext(r.Context(), "web: page failed", "path", r.URL.Path, "err", err)
	u.renderError(w, r, s, http.StatusInternalServerError, "Something went wrong; the server's log says what.")
}
