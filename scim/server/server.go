package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxBodyBytes       = 1 << 20
	DefaultBulkMaxOperations  = 1000
	DefaultBulkMaxPayload     = 1 << 20
	DefaultCount              = 100
	DefaultMaxCount           = 1000
	DefaultPatchMaxOperations = 1000
	DefaultMaxValues          = 1000
)

// Config configures a Handler. Registry and Backend are required.
type Config struct {
	Registry *scim.Registry
	Backend  backend.Backend
	Logger   *slog.Logger // nil: slog.Default()

	// Policy is used when the request context carries none (WithPolicy);
	// nil means DefaultPolicy.
	Policy *Policy

	MaxBodyBytes int64 // request body limit outside /Bulk; over it: 413

	BulkMaxOperations int   // advertised bulk.maxOperations; over it: 413
	BulkMaxPayload    int64 // advertised bulk.maxPayloadSize in bytes; over it: 413

	// PatchMaxOperations bounds the operations of one PATCH (also inside
	// /Bulk), advertised as patch.maxOperations; over it: 413.
	PatchMaxOperations int
	// MaxValues bounds the values of every multi-valued attribute but a
	// group's members after a POST, PUT or PATCH, advertised as
	// patch.maxValues; over it: 400 invalidValue.
	MaxValues int

	DefaultCount int // list page size when the client sends no count
	MaxCount     int // largest page served and advertised filter.maxResults

	DocumentationURI string // advertised in /ServiceProviderConfig
}

// Handler serves the SCIM 2.0 protocol (RFC 7644) for one Registry over one
// Backend. It is safe for concurrent use.
type Handler struct {
	cfg    Config
	reg    *scim.Registry
	be     backend.Backend // cfg.Backend behind the input checks (validate.go)
	log    *slog.Logger
	policy Policy
}

// New returns a Handler; zero Config fields take the documented defaults.
// It panics if Registry or Backend is nil, a programming error.
func New(cfg Config) *Handler {
	if cfg.Registry == nil || cfg.Backend == nil {
		panic("server.New: Config.Registry and Config.Backend are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.BulkMaxOperations <= 0 {
		cfg.BulkMaxOperations = DefaultBulkMaxOperations
	}
	if cfg.BulkMaxPayload <= 0 {
		cfg.BulkMaxPayload = DefaultBulkMaxPayload
	}
	if cfg.PatchMaxOperations <= 0 {
		cfg.PatchMaxOperations = DefaultPatchMaxOperations
	}
	if cfg.MaxValues <= 0 {
		cfg.MaxValues = DefaultMaxValues
	}
	if cfg.MaxCount <= 0 {
		cfg.MaxCount = DefaultMaxCount
	}
	if cfg.DefaultCount <= 0 {
		cfg.DefaultCount = min(DefaultCount, cfg.MaxCount)
	}
	pol := DefaultPolicy
	if cfg.Policy != nil {
		pol = *cfg.Policy
	}
	return &Handler{cfg: cfg, reg: cfg.Registry, be: checked{cfg.Backend}, log: cfg.Logger, policy: pol}
}

// route is a request path after the base URL, split into endpoint
// segments: "Users", "Users/{id}", "Users/.search", ".search",
// "Schemas/{id}", ...
type route struct {
	first  string // endpoint name as sent, e.g. "users"
	second string // id, ".search" or ""
	n      int    // number of segments matched (1 or 2; 0 for the root)
}

// ServeHTTP dispatches a request (see the package documentation for the
// endpoints).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &responseWriter{ResponseWriter: w}
	defer h.recoverPanic(rw, r)
	rt := h.findRoute(r.URL.Path)
	req := &request{h: h, w: rw, r: r, route: rt, pol: h.policyFor(r.Context())}
	req.dispatch()
}

func (h *Handler) policyFor(ctx context.Context) Policy {
	if p, ok := ctx.Value(policyKey).(Policy); ok {
		return p
	}
	return h.policy
}

func (h *Handler) recoverPanic(rw *responseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.log.ErrorContext(r.Context(), "scim: panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
	if !rw.wrote {
		writeError(rw, scim.Errorf(http.StatusInternalServerError, "", "internal server error"))
	}
}

// responseWriter remembers whether a response was started, so a recovered
// panic can still answer with a SCIM error.
type responseWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *responseWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// isEndpoint reports whether seg names a top-level SCIM endpoint.
func (h *Handler) isEndpoint(seg string) bool {
	switch strings.ToLower(seg) {
	case ".search", "schemas", "resourcetypes", "serviceproviderconfig", "serviceconfiguration", "bulk":
		return true
	}
	_, ok := h.reg.ResourceTypeByEndpoint(seg)
	return ok
}

// findRoute locates the SCIM endpoint at the end of path, so the Handler
// works both behind http.StripPrefix and mounted on a longer path
// ("/scim/{tenant}/v2/Users"). A trailing slash is ignored.
func (h *Handler) findRoute(path string) route {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	n := len(segs)
	if n >= 2 && h.isEndpoint(segs[n-2]) && !strings.EqualFold(segs[n-2], ".search") {
		return route{first: segs[n-2], second: segs[n-1], n: 2}
	}
	if n >= 1 && segs[n-1] != "" && h.isEndpoint(segs[n-1]) {
		return route{first: segs[n-1], n: 1}
	}
	return route{}
}

// baseURL returns the SCIM base URL for meta.location: the context's
// (WithBaseURL) or one derived from the request.
func (q *request) baseURL() string {
	if q.base != "" {
		return q.base
	}
	if b, ok := q.r.Context().Value(baseURLKey).(string); ok {
		q.base = b
		return b
	}
	p := q.r.URL.Path
	if u, err := url.ParseRequestURI(q.r.RequestURI); err == nil && u.Path != "" {
		p = u.Path // the unstripped path when mounted behind http.StripPrefix
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) >= q.route.n {
		segs = segs[:len(segs)-q.route.n]
	}
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	prefix := strings.Join(segs, "/")
	if prefix != "" {
		prefix = "/" + prefix
	}
	q.base = scheme + "://" + q.r.Host + prefix
	return q.base
}
