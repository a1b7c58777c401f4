package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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
	if c := code / 100; c >= 1 && c <= 5 {
		return [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}[c-1]
	}
	return strconv.Itoa(code/100) + "xx"
}

// scimKey names one SCIM series: its labels.
type scimKey struct{ method, resource, tenant, code string }

// scimSeries are the labelled collectors of one scimKey, cached so that a
// request costs no label hashing or lookup in the vectors.
type scimSeries struct {
	duration prometheus.Observer
	requests prometheus.Counter
}

// scimSeriesOf returns k's collectors. The keys are bounded: methods and
// resources are fixed sets, tenants are only those whose token was
// accepted.
func (m *Metrics) scimSeriesOf(k scimKey) scimSeries {
	if s, ok := m.scimCache.Load(k); ok {
		return s.(scimSeries)
	}
	labels := []string{k.method, k.resource}
	if m.tenantLabel {
		labels = append(labels, k.tenant)
	}
	s := scimSeries{duration: m.scimDuration.WithLabelValues(labels...),
		requests: m.scimRequests.WithLabelValues(append(labels, k.code)...)}
	m.scimCache.Store(k, s)
	return s
}

// SCIM counts the requests next serves (the whole SCIM service, tenant
// resolution and token check included) and their latency, by method,
// resource type and status class; with Options.TenantLabel, by tenant too
// (empty for requests refused before SCIMTenant saw them).
func (m *Metrics) SCIM(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s := m.scimSeriesOf(scimKey{method(r), scimResource(r.URL.Path), sw.tenant, codeClass(sw.status)})
		s.duration.Observe(time.Since(start).Seconds())
		s.requests.Inc()
	})
}

// SCIMTenant marks the request as authenticated for SCIM's tenant label:
// wrap the handler the SCIM front calls once the tenant's token is
// accepted (the tenant is the {tenant} path value). It finds SCIM's
// writer through the writers' Unwrap, as http.ResponseController does.
func (m *Metrics) SCIMTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.tenantLabel {
			if sw := scimWriter(w); sw != nil {
				sw.tenant = r.PathValue("tenant")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// scimWriter is the statusWriter of SCIM under w, or nil.
func scimWriter(w http.ResponseWriter) *statusWriter {
	for {
		switch x := w.(type) {
		case *statusWriter:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
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
	tenant string // the SCIM tenant whose token was accepted
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
