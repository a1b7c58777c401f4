package metrics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// scimResources are the SCIM endpoints counted by name (RFC 7644 §3.2,
// §3.4.3, §3.7, §4, §3.11 /Me); any other path is "other".
var scimResources = map[string]bool{
	"Users": true, "Groups": true, "Bulk": true, "Schemas": true, "ResourceTypes": true,
	"ServiceProviderConfig": true, "Me": true, ".search": true,
}

// scimResource is the resource type of a SCIM request path: the segment
// after "/v2" ("/scim/t/v2/Users/42" → "Users"; the root → "root").
func scimResource(path string) string {
	_, rest, ok := strings.Cut(path, "/v2")
	if !ok {
		return "other"
	}
	rest = strings.TrimPrefix(rest, "/")
	if rest == "" {
		return "root"
	}
	seg, _, _ := strings.Cut(rest, "/")
	if scimResources[seg] {
		return seg
	}
	return "other"
}

// method is r's method if standard, else "other" (a method is the
// client's to choose: it must not mint series).
func method(r *http.Request) string {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return r.Method
	}
	return "other"
}

// codeClass is a status's class: "2xx", "4xx", "5xx".
func codeClass(code int) string {
	return strconv.Itoa(code/100) + "xx"
}

// tenantKey is the context key of the tenant an authenticated SCIM
// request was for (set by SCIMTenant, read by SCIM).
type tenantKey struct{}

// SCIM counts the requests next serves (the whole SCIM service, tenant
// resolution and token check included) and their latency, by method,
// resource type and status class; with Options.TenantLabel, by tenant too
// (empty for requests refused before SCIMTenant saw them).
func (m *Metrics) SCIM(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		tenant := new(atomic.Pointer[string])
		if m.tenantLabel {
			r = r.WithContext(context.WithValue(r.Context(), tenantKey{}, tenant))
		}
		next.ServeHTTP(sw, r)
		labels := []string{method(r), scimResource(r.URL.Path)}
		if m.tenantLabel {
			t := ""
			if p := tenant.Load(); p != nil {
				t = *p
			}
			labels = append(labels, t)
		}
		m.scimDuration.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
		m.scimRequests.WithLabelValues(append(labels, codeClass(sw.status))...).Inc()
	})
}

// SCIMTenant marks the request as authenticated for SCIM's tenant label:
// wrap the handler the SCIM front calls once the tenant's token is
// accepted (the tenant is the {tenant} path value).
func (m *Metrics) SCIMTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(tenantKey{}).(*atomic.Pointer[string]); ok {
			t := r.PathValue("tenant")
			p.Store(&t)
		}
		next.ServeHTTP(w, r)
	})
}

// Admin counts the admin API's requests and their latency by method,
// route pattern (as the API's http.ServeMux matched it, e.g.
// "/api/v1/tenants/{id}") and status class.
func (m *Metrics) Admin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		// A ServeMux sets Pattern on the request it is given: the
		// innermost mux's pattern is left here.
		route := r.Pattern
		if _, path, ok := strings.Cut(route, " "); ok {
			route = path
		}
		if route == "" {
			route = "other"
		}
		m.adminDuration.WithLabelValues(method(r), route).Observe(time.Since(start).Seconds())
		m.adminRequests.WithLabelValues(method(r), route, codeClass(sw.status)).Inc()
	})
}

// statusWriter records the response status.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
