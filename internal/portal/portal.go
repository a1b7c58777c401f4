package portal

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/provisio-dev/provisio/internal/sealedcookie"
	"github.com/provisio-dev/provisio/internal/secretbox"
)

// Patterns the portal registers on an http.ServeMux.
const (
	Pattern         = "GET /app/{tenant}/{$}"
	CallbackPattern = "GET /app/{tenant}/callback"
)

// Errors the interfaces return; test with errors.Is.
var (
	// ErrNotConfigured: the tenant does not exist or has no SSO settings.
	ErrNotConfigured = errors.New("portal: single sign-on not configured")
	// ErrNoUser: no SCIM user of the tenant has that userName or id.
	ErrNoUser = errors.New("portal: no such user")
)

// Settings are a tenant's relying-party settings at its OpenID provider.
type Settings struct {
	Issuer       string
	ClientID     string
	ClientSecret string
}

// Profile is a SCIM User as the application holds it (RFC 7643 §4.1).
type Profile struct {
	ID          string
	UserName    string
	DisplayName string // name.formatted, else displayName
	Emails      []string
	Roles       []string
	Active      bool
}

// Tenants gives a tenant's SSO settings (the tenant manager implements
// it); ErrNotConfigured when there are none.
type Tenants interface {
	SSOSettings(ctx context.Context, tenant string) (Settings, error)
}

// Users finds a tenant's SCIM users (the SCIM service implements it);
// ErrNoUser when there is none. UserByID is the cheap per-request lookup.
type Users interface {
	UserByName(ctx context.Context, tenant, userName string) (Profile, error)
	UserByID(ctx context.Context, tenant, id string) (Profile, error)
}

// Defaults of Config.
const (
	DefaultSessionTTL = 8 * time.Hour
	loginTTL          = 10 * time.Minute
)

// Config configures a Portal. Tenants, Users, Key and BaseURL are required.
type Config struct {
	Tenants Tenants
	Users   Users
	// Key encrypts the cookies (secretbox.KeySize bytes).
	Key []byte
	// BaseURL is the external base, e.g. "https://app.example.com"; the
	// redirect URI is BaseURL + "/app/{tenant}/callback".
	BaseURL    string
	SessionTTL time.Duration // 0: DefaultSessionTTL
	// HTTPClient reaches the providers (discovery, JWKS, token); nil:
	// http.DefaultClient.
	HTTPClient *http.Client
	Logger     *slog.Logger     // nil: slog.Default()
	Now        func() time.Time // nil: time.Now
}

// Portal serves /app/{tenant}/ and its callback. It is safe for
// concurrent use.
type Portal struct {
	cfg     Config
	cookies cookies
	log     *slog.Logger

	mu        sync.Mutex
	providers map[string]*oidc.Provider // by issuer
}

// New returns a Portal for cfg.
func New(cfg Config) (*Portal, error) {
	box, err := secretbox.New(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("portal cookie key: %w", err)
	}
	if cfg.Tenants == nil || cfg.Users == nil || cfg.BaseURL == "" {
		return nil, errors.New("portal: Tenants, Users and BaseURL are required")
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Portal{cfg: cfg, cookies: cookies{sealedcookie.Jar{Box: box, Now: cfg.Now, Secure: strings.HasPrefix(cfg.BaseURL, "https://")}}, log: log,
		providers: map[string]*oidc.Provider{}}, nil
}

// Register adds the portal's routes to mux.
func (p *Portal) Register(mux *http.ServeMux) {
	mux.HandleFunc(Pattern, p.home)
	mux.HandleFunc(CallbackPattern, p.callback)
}

// relyingParty is one tenant's client at its provider.
type relyingParty struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func (p *Portal) relyingParty(ctx context.Context, tenant string) (*relyingParty, error) {
	s, err := p.cfg.Tenants.SSOSettings(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("sso settings of tenant %q: %w", tenant, err)
	}
	prov, err := p.provider(ctx, s.Issuer)
	if err != nil {
		return nil, err
	}
	return &relyingParty{
		oauth: oauth2.Config{
			ClientID: s.ClientID, ClientSecret: s.ClientSecret,
			Endpoint:    prov.Endpoint(),
			RedirectURL: CallbackURL(p.cfg.BaseURL, tenant),
			Scopes:      []string{oidc.ScopeOpenID, "profile", "email"},
		},
		verifier: prov.Verifier(&oidc.Config{ClientID: s.ClientID, Now: p.cfg.Now}),
	}, nil
}

// provider discovers issuer once (OpenID Connect Discovery 1.0 §4) and
// keeps it; go-oidc refreshes its keys when an unknown kid appears.
func (p *Portal) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	p.mu.Lock()
	prov, ok := p.providers[issuer]
	p.mu.Unlock()
	if ok {
		return prov, nil
	}
	// Discovery must not be bound to one request's lifetime: the provider
	// keeps the context for its later JWKS fetches.
	prov, err := oidc.NewProvider(p.clientContext(context.WithoutCancel(ctx)), issuer)
	if err != nil {
		return nil, fmt.Errorf("discover issuer %q: %w", issuer, err)
	}
	p.mu.Lock()
	p.providers[issuer] = prov
	p.mu.Unlock()
	return prov, nil
}

func (p *Portal) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, p.cfg.HTTPClient)
}

// home shows the signed-in user's profile, ends a session whose user is
// gone or inactive, or starts a sign-in.
func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	var s session
	if err := p.cookies.get(r, sessionCookie, tenant, &s); err == nil && p.cfg.Now().Before(s.Expires) {
		u, err := p.cfg.Users.UserByID(r.Context(), tenant, s.UserID)
		switch {
		case err == nil && u.Active:
			p.render(w, http.StatusOK, page{Tenant: tenant, User: &u})
			return
		case err == nil || errors.Is(err, ErrNoUser):
			p.cookies.clear(w, r, sessionCookie, tenant)
			p.refuse(w, tenant, "Your access to this application has ended.")
			return
		default:
			p.fail(w, tenant, fmt.Errorf("look up user %q of tenant %q: %w", s.UserID, tenant, err))
			return
		}
	}
	p.login(w, r, tenant)
}

// login redirects to the provider's authorization endpoint (Core §3.1.2.1).
func (p *Portal) login(w http.ResponseWriter, r *http.Request, tenant string) {
	rp, err := p.relyingParty(r.Context(), tenant)
	if err != nil {
		p.unavailable(w, tenant, err)
		return
	}
	ls := loginState{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Expires: p.cfg.Now().Add(loginTTL)}
	if err := p.cookies.set(w, r, loginCookie, tenant, ls, ls.Expires); err != nil {
		p.fail(w, tenant, err)
		return
	}
	http.Redirect(w, r, rp.oauth.AuthCodeURL(ls.State, oidc.Nonce(ls.Nonce),
		oauth2.S256ChallengeOption(ls.Verifier)), http.StatusFound)
}

// callback completes the code flow (Core §3.1.2.5–§3.1.3.7): state, code
// exchange with the PKCE verifier, ID token verification, nonce, then the
// match to a provisioned, active SCIM user.
func (p *Portal) callback(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	var ls loginState
	err := p.cookies.get(r, loginCookie, tenant, &ls)
	p.cookies.clear(w, r, loginCookie, tenant)
	q := r.URL.Query()
	if err != nil || !p.cfg.Now().Before(ls.Expires) || q.Get("state") == "" || q.Get("state") != ls.State {
		p.render(w, http.StatusBadRequest, page{Tenant: tenant,
			Message: "This sign-in link is invalid or has expired. Please start again."})
		return
	}
	if e := q.Get("error"); e != "" {
		p.log.InfoContext(r.Context(), "portal sign-in refused by provider", "tenant", tenant, "error", e)
		p.refuse(w, tenant, "Your identity provider did not sign you in.")
		return
	}
	rp, err := p.relyingParty(r.Context(), tenant)
	if err != nil {
		p.unavailable(w, tenant, err)
		return
	}
	ctx := p.clientContext(r.Context())
	tok, err := rp.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		p.badGateway(w, tenant, fmt.Errorf("exchange code for tenant %q: %w", tenant, err))
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		p.badGateway(w, tenant, fmt.Errorf("verify id token for tenant %q: %w", tenant, err))
		return
	}
	if idt.Nonce != ls.Nonce {
		p.badGateway(w, tenant, fmt.Errorf("id token for tenant %q: nonce mismatch", tenant))
		return
	}
	var claims struct {
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
		EmailVerified     *bool  `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		p.badGateway(w, tenant, fmt.Errorf("id token claims for tenant %q: %w", tenant, err))
		return
	}
	if claims.EmailVerified != nil && !*claims.EmailVerified {
		claims.Email = "" // a provider that says it is unverified (Core §5.1)
	}
	u, err := p.match(r.Context(), tenant, claims.PreferredUsername, claims.Email)
	switch {
	case errors.Is(err, ErrNoUser):
		p.log.InfoContext(r.Context(), "portal sign-in refused: not provisioned", "tenant", tenant, "subject", idt.Subject)
		p.refuse(w, tenant, "You have no account in this application. Ask your administrator to assign it to you.")
		return
	case err != nil:
		p.fail(w, tenant, err)
		return
	case !u.Active:
		p.log.InfoContext(r.Context(), "portal sign-in refused: inactive", "tenant", tenant, "user", u.ID)
		p.refuse(w, tenant, "Your account in this application is disabled.")
		return
	}
	s := session{UserID: u.ID, Expires: p.cfg.Now().Add(p.cfg.SessionTTL)}
	if err := p.cookies.set(w, r, sessionCookie, tenant, s, s.Expires); err != nil {
		p.fail(w, tenant, err)
		return
	}
	http.Redirect(w, r, tenantPath(tenant), http.StatusFound)
}

// match finds the SCIM user whose userName is the preferred_username,
// else the email (the claims Entra, Okta and Keycloak fill with the name
// they provision as userName).
func (p *Portal) match(ctx context.Context, tenant string, names ...string) (Profile, error) {
	for _, n := range names {
		if n == "" {
			continue
		}
		u, err := p.cfg.Users.UserByName(ctx, tenant, n)
		if errors.Is(err, ErrNoUser) {
			continue
		}
		if err != nil {
			return Profile{}, fmt.Errorf("find user %q of tenant %q: %w", n, tenant, err)
		}
		return u, nil
	}
	return Profile{}, ErrNoUser
}

func (p *Portal) refuse(w http.ResponseWriter, tenant, msg string) {
	p.render(w, http.StatusForbidden, page{Tenant: tenant, Message: msg})
}

func (p *Portal) unavailable(w http.ResponseWriter, tenant string, err error) {
	if errors.Is(err, ErrNotConfigured) {
		p.render(w, http.StatusNotFound, page{Tenant: tenant, Message: "Single sign-on is not set up for this application."})
		return
	}
	p.badGateway(w, tenant, err)
}

func (p *Portal) badGateway(w http.ResponseWriter, tenant string, err error) {
	p.log.Warn("portal sign-in failed", "tenant", tenant, "err", err)
	p.render(w, http.StatusBadGateway, page{Tenant: tenant, Message: "Sign-in with your identity provider failed. Please try again."})
}

func (p *Portal) fail(w http.ResponseWriter, tenant string, err error) {
	p.log.Error("portal", "tenant", tenant, "err", err)
	p.render(w, http.StatusInternalServerError, page{Tenant: tenant, Message: "Something went wrong. Please try again."})
}

type page struct {
	Tenant  string
	User    *Profile
	Message string
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Tenant}}</title></head><body>
<h1>{{.Tenant}}</h1>
{{with .User}}<dl>
<dt>User name</dt><dd id="userName">{{.UserName}}</dd>
<dt>Name</dt><dd id="name">{{.DisplayName}}</dd>
<dt>Emails</dt><dd id="emails">{{range $i, $e := .Emails}}{{if $i}}, {{end}}{{$e}}{{end}}</dd>
<dt>Active</dt><dd id="active">{{.Active}}</dd>
<dt>Roles</dt><dd id="roles">{{range $i, $r := .Roles}}{{if $i}}, {{end}}{{$r}}{{end}}</dd>
</dl>{{else}}<p id="message">{{.Message}}</p>{{end}}
</body></html>
`))

func (p *Portal) render(w http.ResponseWriter, status int, pg page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pageTmpl.Execute(w, pg); err != nil {
		p.log.Error("portal render", "err", err)
	}
}
