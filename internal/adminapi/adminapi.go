// Package adminapi serves Provisio's admin REST API under /api/v1: JSON
// over HTTP with a bearer admin token, for both sides of provisioning.
// The application side: SCIM tenants, their secret tokens and
// compatibility policies, and each tenant's change feed (the events the
// application behind the SCIM service consumes). The identity side: the
// directory's users (with CSV import), groups and members, applications
// and assignments, and each application's provisioning job (settings,
// start/stop, runs, status, logs, plan, preview of one object, Test
// Connection, its mappings and scoping filters one at a time); and the
// expression sandbox (POST /expressions/evaluate), whose syntax errors
// answer their position; and the audit log of the changes made through
// it (GET /audit, recorded by one middleware: audit.go). The CLI
// (`provisio tenant|user|group|app|job|expr|audit ...`) is a thin client
// of it.
//
// Errors are mapped once, at the boundary ([writeErr]), to
// {"error":{"code","message"}}; internal detail is logged, never sent.
// Bad input of any kind (malformed JSON, unknown fields, over-long
// bodies, bad query parameters) is a 4xx, never a 5xx. The API is
// described by OpenAPI 3 in openapi.json, served at /api/v1/openapi.json.
package adminapi

import (
	"bytes"
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// Tenants is what the API needs to manage tenants and tokens
// (tenant.Manager implements it).
type Tenants interface {
	Create(ctx context.Context, name string, policy []byte) (tenant.Tenant, string, error)
	Get(ctx context.Context, id string) (tenant.Tenant, error)
	List(ctx context.Context) ([]tenant.Tenant, error)
	Delete(ctx context.Context, id string) error
	SetPolicy(ctx context.Context, id string, policy []byte) error
	SetSSO(ctx context.Context, id, issuer, clientID, secret string) error
	SSO(ctx context.Context, id string) (tenant.SSO, error)
	ListSSO(ctx context.Context) (map[string]tenant.SSO, error)
	IssueToken(ctx context.Context, tenantID, name string) (string, tenant.Token, error)
	Tokens(ctx context.Context, tenantID string) ([]tenant.Token, error)
	RevokeToken(ctx context.Context, tenantID, tokenID string) error
	AuthenticateAdmin(ctx context.Context, token string) error
	IssueAdminToken(ctx context.Context, name string) (string, tenant.Token, error)
	AdminTokens(ctx context.Context) ([]tenant.Token, error)
	RevokeAdminToken(ctx context.Context, id string) error
	RotateAdminToken(ctx context.Context, current, name string) (string, tenant.Token, error)
}

// Events reads a tenant's change feed (*tenant.Manager implements it).
type Events interface {
	Events(ctx context.Context, tenantID string, after int64, limit int) ([]tenant.Event, error)
}

// DefaultMaxBody bounds request bodies when Config.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// Config configures the API. Tenants, Events and BaseURL are required.
type Config struct {
	Tenants Tenants
	Events  Events
	// Directory and Jobs serve the identity side (users, groups, apps,
	// assignments; provisioning jobs). Either may be nil: its endpoints
	// then answer 503.
	Directory Directory
	Jobs      Jobs
	// Expressions is the expression sandbox; nil: its endpoint answers 503.
	Expressions Expressions
	// Audit records every change made through the API (audit.go); nil:
	// nothing is recorded and GET /audit answers 503.
	Audit Audit
	// OIDCKeys manages the OpenID provider's signing keys; nil: its
	// endpoints answer 503.
	OIDCKeys OIDCKeys
	// BaseURL is the external base of the server; tenant_url values are
	// BaseURL/scim/<id>/v2.
	BaseURL   string
	MaxBody   int64 // request body limit; 0 means DefaultMaxBody
	MaxImport int64 // CSV import body limit; 0 means DefaultMaxImport
	// ReadTimeout is the server's http.Server.ReadTimeout (0: none): a CSV
	// import extends its body's read deadline by it after every batch
	// written, so it bounds the wait for a batch's rows, not a whole file.
	ReadTimeout time.Duration
	Logger      *slog.Logger // nil: slog.Default()
}

// API is the admin API handler.
type API struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// Prefix is the path prefix the API serves.
const Prefix = "/api/v1/"

// OpenAPIPath is where the OpenAPI description is served (no token needed).
const OpenAPIPath = "/api/v1/openapi.json"

//go:embed openapi.json
var openAPI []byte

// New returns the API; mount it at Prefix (see Register).
func New(cfg Config) *API {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxImport <= 0 {
		cfg.MaxImport = DefaultMaxImport
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	a := &API{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.routes()
	return a
}

// Register mounts the API on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle(Prefix, a)
}

// route is one endpoint: its method and Go 1.22 ServeMux path pattern.
type route struct {
	method, path string
	h            func(http.ResponseWriter, *http.Request) error
}

func (a *API) tenantRoutes() []route {
	return []route{
		{"POST", "/api/v1/tenants", a.createTenant},
		{"GET", "/api/v1/tenants", a.listTenants},
		{"GET", "/api/v1/tenants/{id}", a.getTenant},
		{"DELETE", "/api/v1/tenants/{id}", a.deleteTenant},
		{"GET", "/api/v1/tenants/{id}/policy", a.getPolicy},
		{"PUT", "/api/v1/tenants/{id}/policy", a.putPolicy},
		{"PUT", "/api/v1/tenants/{id}/sso", a.putSSO},
		{"POST", "/api/v1/tenants/{id}/tokens", a.createToken},
		{"GET", "/api/v1/tenants/{id}/tokens", a.listTokens},
		{"DELETE", "/api/v1/tenants/{id}/tokens/{tokenId}", a.revokeToken},
		{"GET", "/api/v1/tenants/{id}/events", a.listEvents},
		{"POST", "/api/v1/admin/tokens", a.createAdminToken},
		{"GET", "/api/v1/admin/tokens", a.listAdminTokens},
		{"DELETE", "/api/v1/admin/tokens/{tokenId}", a.revokeAdminToken},
		{"POST", "/api/v1/admin/tokens/current/rotate", a.rotateAdminToken},
	}
}

// table lists every route: tenants, then the directory, then jobs.
func (a *API) table() []route {
	return slices.Concat(a.tenantRoutes(), a.directoryRoutes(), a.passwordRoutes(), a.ssoAdminRoutes(), a.jobRoutes(), a.mappingRoutes(), a.expressionRoutes(),
		a.onDemandRoutes(), a.escrowRoutes(), a.quarantineRoutes(), a.reconcileRoutes(), a.logExportRoutes(), a.auditRoutes(), a.oidcKeyRoutes())
}

// routes registers every endpoint behind the admin token check, plus a
// JSON 405 for other methods on known paths and a JSON 404 elsewhere.
func (a *API) routes() {
	allowed := map[string][]string{}
	for _, rt := range a.table() {
		a.mux.Handle(rt.method+" "+rt.path, a.authed(a.audited(rt)))
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for path, methods := range allowed {
		allow := strings.Join(methods, ", ")
		a.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeErr(w, r, a.log, errMethod)
		})
	}
	a.mux.HandleFunc("GET "+OpenAPIPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	a.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, r, a.log, errNoRoute)
	})
}

// ServeHTTP serves the API.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mux.ServeHTTP(w, r)
}

// authed checks the admin bearer token (authenticate: its holder goes
// into the context for the audit log) and the request's path and query
// (checkRequest), then runs h and maps its error.
func (a *API) authed(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := a.authenticate(r)
		if err == nil {
			err = checkRequest(r)
		}
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			writeErr(w, r, a.log, err)
		}
	})
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

var (
	errMethod  = &apiError{http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this resource"}
	errNoRoute = &apiError{http.StatusNotFound, "not_found", "no such endpoint"}
)

// isNotFound reports a miss of the tenant manager (its change feed
// included).
func isNotFound(err error) bool {
	return svcerr.KindOf(err) == svcerr.NotFound
}

// OpenAPISpec returns the OpenAPI 3 description of the API (a copy).
func OpenAPISpec() []byte { return bytes.Clone(openAPI) }
