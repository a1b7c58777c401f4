// Package scimsvc mounts the multi-tenant SCIM 2.0 service: it routes
// /scim/{tenant}/v2/... to one scim/server Handler after resolving the
// tenant from the URL and checking its bearer token (RFC 7644 §2: the
// service provider authenticates every request; RFC 6750: bearer tokens).
//
// Per request it binds the tenant for the store (store.WithTenant), the
// tenant's SCIM base URL for meta.location (server.WithBaseURL, RFC 7643
// §3.1) and the tenant's compatibility policy (server.WithPolicy).
//
// Answers before the SCIM handler is reached are SCIM errors (RFC 7644
// §3.12): an unknown tenant is 404 (one whose id has not the form of
// store.ValidTenantID without a query); a missing, malformed, unknown, revoked
// or other tenant's token is 401 with WWW-Authenticate: Bearer, one answer
// for all of them, so nothing tells a caller whether a token exists
// elsewhere.
package scimsvc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/server"
)

// Authenticator resolves a tenant and checks a bearer token presented on
// its URL (tenant.Manager implements it). It returns an error wrapping
// tenant.ErrNotFound for an unknown tenant and tenant.ErrUnauthorized for a
// bad token.
type Authenticator interface {
	Authenticate(ctx context.Context, tenantID, token string) (store.Tenant, error)
}

// Patterns the service registers on an http.ServeMux (Go 1.22 patterns).
const (
	Pattern     = "/scim/{tenant}/v2/"
	RootPattern = "/scim/{tenant}/v2"
)

// Config configures a Service. Every field but Logger is required.
type Config struct {
	Tenants Authenticator
	// SCIM serves the protocol for the tenant bound to the request
	// context (a scim/server Handler over store.Store.Backend()).
	SCIM http.Handler
	// BaseURL is the external base of the service, e.g.
	// "https://scim.example.com"; a tenant's SCIM base is
	// BaseURL + "/scim/" + id + "/v2".
	BaseURL string
	Logger  *slog.Logger // nil: slog.Default()
}

// Service is the tenant-resolving, authenticating front of the SCIM
// handler. It is safe for concurrent use.
type Service struct {
	cfg      Config
	log      *slog.Logger
	policies policyCache
}

// New returns a Service.
func New(cfg Config) *Service {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{cfg: cfg, log: log}
}

// Register mounts the service on mux.
func (s *Service) Register(mux *http.ServeMux) {
	mux.Handle(Pattern, s)
	mux.Handle(RootPattern, s)
}

// TenantURL is the SCIM base URL of tenant id: what an administrator
// pastes into Entra ID or Okta as the Tenant URL.
func TenantURL(baseURL, id string) string {
	return strings.TrimRight(baseURL, "/") + "/scim/" + id + "/v2"
}

// ServeHTTP authenticates the request and hands it to the SCIM handler
// with the path below /scim/{tenant}/v2.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("tenant")
	if !store.ValidTenantID(id) {
		// No tenant has such an id: the answer to an unknown tenant,
		// without asking the store.
		writeError(w, scim.Errorf(http.StatusNotFound, "", "tenant not found"))
		return
	}
	t, err := s.cfg.Tenants.Authenticate(r.Context(), id, bearerToken(r))
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		writeError(w, scim.Errorf(http.StatusNotFound, "", "tenant not found"))
		return
	case errors.Is(err, tenant.ErrUnauthorized):
		w.Header().Set("WWW-Authenticate", `Bearer realm="provisio"`)
		writeError(w, scim.Errorf(http.StatusUnauthorized, "", "missing or invalid bearer token"))
		return
	case err != nil:
		s.log.ErrorContext(r.Context(), "scim: authenticate", "tenant", id, "err", err)
		writeError(w, scim.Errorf(http.StatusInternalServerError, "", "internal server error"))
		return
	}
	ctx := store.WithTenant(r.Context(), t.ID)
	ctx = server.WithBaseURL(ctx, TenantURL(s.cfg.BaseURL, t.ID))
	ctx = server.WithPolicy(ctx, s.policies.get(ctx, s.log, t))
	r2 := r.WithContext(ctx)
	u := *r.URL
	u.Path = strings.TrimPrefix(r.URL.Path, "/scim/"+id+"/v2")
	u.RawPath = ""
	r2.URL = &u
	s.cfg.SCIM.ServeHTTP(w, r2)
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header (scheme case-insensitive, RFC 6750 §2.1), or "".
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// writeError writes a SCIM error response.
func writeError(w http.ResponseWriter, e *scim.Error) {
	b, _ := json.Marshal(e) // an *scim.Error always marshals
	w.Header().Set("Content-Type", scim.MediaType)
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// DecodePolicy parses a tenant's stored policy JSON; empty means
// server.DefaultPolicy. Fields the JSON omits keep DefaultPolicy's values.
func DecodePolicy(raw []byte) (server.Policy, error) {
	p := server.DefaultPolicy
	if len(raw) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return server.DefaultPolicy, err
	}
	if err := p.Validate(); err != nil {
		return server.DefaultPolicy, err
	}
	return p, nil
}

// policyCache keeps decoded policies keyed by their stored JSON, so the
// hot path does not parse JSON on every request. Tenants mostly share a
// few presets; the cache is emptied when it exceeds maxCachedPolicies
// distinct documents, so tenants deleted or re-configured over a long
// uptime cannot grow it without bound.
type policyCache struct {
	mu sync.RWMutex
	m  map[string]server.Policy
}

const maxCachedPolicies = 1024

func (c *policyCache) get(ctx context.Context, log *slog.Logger, t store.Tenant) server.Policy {
	c.mu.RLock()
	p, ok := c.m[string(t.Policy)]
	c.mu.RUnlock()
	if ok {
		return p
	}
	p, err := DecodePolicy(t.Policy)
	if err != nil {
		// Policies are validated when written; this is a damaged row.
		log.WarnContext(ctx, "scim: stored policy is invalid, using the default", "tenant", t.ID, "err", err)
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedPolicies {
		c.m = make(map[string]server.Policy)
	}
	c.m[string(t.Policy)] = p
	c.mu.Unlock()
	return p
}
