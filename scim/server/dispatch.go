package server

import (
	"net/http"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// request is the state of one HTTP request.
type request struct {
	h     *Handler
	w     *responseWriter
	r     *http.Request
	route route
	pol   Policy
	base  string // cached baseURL()
}

func (q *request) methodNotAllowed(allow string) {
	q.w.Header().Set("Allow", allow)
	writeError(q.w, scim.Errorf(http.StatusMethodNotAllowed, "", "method %s is not allowed here; allowed: %s", q.r.Method, allow))
}

func (q *request) notFound() {
	writeError(q.w, scim.Errorf(http.StatusNotFound, "", "no SCIM endpoint at %s", q.r.URL.Path))
}

// method returns the request method, with HEAD served as GET.
func (q *request) method() string {
	if q.r.Method == http.MethodHead {
		return http.MethodGet
	}
	return q.r.Method
}

func (q *request) dispatch() {
	rt := q.route
	if rt.n == 0 {
		q.notFound()
		return
	}
	switch strings.ToLower(rt.first) {
	case ".search":
		if q.method() != http.MethodPost {
			q.methodNotAllowed("POST")
			return
		}
		q.searchRoot()
	case "schemas":
		if q.method() != http.MethodGet {
			q.methodNotAllowed("GET")
			return
		}
		q.schemas(rt.second)
	case "resourcetypes":
		if q.method() != http.MethodGet {
			q.methodNotAllowed("GET")
			return
		}
		q.resourceTypes(rt.second)
	case "serviceproviderconfig", "serviceconfiguration":
		switch {
		case rt.n == 2:
			q.notFound()
		case q.method() != http.MethodGet:
			q.methodNotAllowed("GET")
		default:
			q.serviceProviderConfig()
		}
	case "bulk":
		switch {
		case rt.n == 2:
			q.notFound()
		case q.method() != http.MethodPost:
			q.methodNotAllowed("POST")
		default:
			q.bulk()
		}
	default:
		q.resourceEndpoint()
	}
}

func (q *request) resourceEndpoint() {
	rt, ok := q.h.reg.ResourceTypeByEndpoint(q.route.first)
	if !ok {
		q.notFound()
		return
	}
	switch {
	case q.route.n == 1:
		switch q.method() {
		case http.MethodGet:
			q.list(rt)
		case http.MethodPost:
			q.create(rt)
		default:
			q.methodNotAllowed("GET, POST")
		}
	case q.route.second == ".search":
		if q.method() != http.MethodPost {
			q.methodNotAllowed("POST")
			return
		}
		q.search(rt)
	default:
		id := q.route.second
		switch q.method() {
		case http.MethodGet:
			q.get(rt, id)
		case http.MethodPut:
			q.replace(rt, id)
		case http.MethodPatch:
			q.patch(rt, id)
		case http.MethodDelete:
			q.delete(rt, id)
		default:
			q.methodNotAllowed("GET, PUT, PATCH, DELETE")
		}
	}
}
