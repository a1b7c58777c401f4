package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

const userBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","active":true}`

func TestRouting(t *testing.T) {
	f := newFixture(t)
	id := f.user("bob")
	tests := []struct {
		name   string
		method string
		path   string
		want   int
		allow  string
	}{
		{"users list", "GET", "/Users", 200, ""},
		{"lower-case endpoint", "GET", "/users", 200, ""},
		{"trailing slash before query", "GET", "/Users/?filter=userName%20eq%20%22bob%22", 200, ""},
		{"mounted under tenant path", "GET", "/scim/t1/v2/Users", 200, ""},
		{"user by id", "GET", "/Users/" + id, 200, ""},
		{"user by id lower-case endpoint", "GET", "/scim/t1/v2/USERS/" + id, 200, ""},
		{"groups", "GET", "/Groups", 200, ""},
		{"schemas", "GET", "/Schemas", 200, ""},
		{"schema by id", "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", 200, ""},
		{"schema by id any case", "GET", "/schemas/URN:ietf:params:scim:schemas:core:2.0:user", 200, ""},
		{"unknown schema", "GET", "/Schemas/urn:nope", 404, ""},
		{"resource types", "GET", "/ResourceTypes", 200, ""},
		{"resource type by name", "GET", "/ResourceTypes/User", 200, ""},
		{"unknown resource type", "GET", "/ResourceTypes/Device", 404, ""},
		{"service provider config", "GET", "/ServiceProviderConfig", 200, ""},
		{"serviceConfiguration alias", "GET", "/serviceConfiguration", 200, ""},
		{"Entra flag ignored", "GET", "/Users?aadOptscim062020", 200, ""},
		{"unknown endpoint", "GET", "/Devices", 404, ""},
		{"root", "GET", "/", 404, ""},
		{"unknown user", "GET", "/Users/nope", 404, ""},
		{"DELETE on collection", "DELETE", "/Users", 405, "GET, POST"},
		{"POST on resource", "POST", "/Users/" + id, 405, "GET, PUT, PATCH, DELETE"},
		{"GET .search", "GET", "/Users/.search", 405, "POST"},
		{"GET root .search", "GET", "/.search", 405, "POST"},
		{"POST schemas", "POST", "/Schemas", 405, "GET"},
		{"GET bulk", "GET", "/Bulk", 405, "POST"},
		{"filter on discovery", "GET", "/Schemas?filter=id%20eq%20%22x%22", 403, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do(tc.method, tc.path, "")
			if w.Code != tc.want {
				t.Fatalf("%s %s = %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != scim.MediaType {
				t.Errorf("Content-Type = %q, want %q", ct, scim.MediaType)
			}
			if tc.allow != "" {
				if got := w.Header().Get("Allow"); got != tc.allow {
					t.Errorf("Allow = %q, want %q", got, tc.allow)
				}
			}
			if tc.want >= 400 {
				wantError(t, w, tc.want, "")
			}
		})
	}
}

func TestRequestContentTypes(t *testing.T) {
	tests := []struct {
		name string
		ct   string
		want int
	}{
		{"scim json with charset (Entra)", "application/scim+json; charset=utf-8", 201},
		{"scim json", "application/scim+json", 201},
		{"plain json (Okta, Postman)", "application/json", 201},
		{"json with upper-case charset", "application/json; charset=UTF-8", 201},
		{"no content type", "", 201},
		{"curl -d default", "application/x-www-form-urlencoded", 201},
		{"unparseable header", ";;", 201},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			var hdr []string
			if tc.ct != "" {
				hdr = append(hdr, "Content-Type: "+tc.ct)
			}
			w := f.do("POST", "/Users", strings.Replace(userBody, "alice", fmt.Sprint("u", i), 1), hdr...)
			if w.Code != tc.want {
				t.Fatalf("POST with Content-Type %q = %d %s, want %d", tc.ct, w.Code, w.Body, tc.want)
			}
		})
	}
}

func TestAcceptHeaderIgnored(t *testing.T) {
	f := newFixture(t)
	for _, accept := range []string{"", "application/json", "application/scim+json", "text/html"} {
		w := f.do("GET", "/Users", "", "Accept: "+accept)
		if w.Code != 200 {
			t.Errorf("GET /Users with Accept %q = %d, want 200", accept, w.Code)
		}
	}
}

func TestCreate(t *testing.T) {
	f := newFixture(t)
	w := f.do("POST", "/scim/t1/v2/Users", userBody, "Content-Type: application/scim+json")
	if w.Code != 201 {
		t.Fatalf("POST /Users = %d %s, want 201", w.Code, w.Body)
	}
	m := decode(t, w)
	id, _ := m["id"].(string)
	wantLoc := "http://example.com/scim/t1/v2/Users/" + id
	if got := w.Header().Get("Location"); got != wantLoc {
		t.Errorf("Location = %q, want %q", got, wantLoc)
	}
	if got, _ := at(m, "/meta/location"); got != wantLoc {
		t.Errorf("meta.location = %v, want %q", got, wantLoc)
	}
	ver, _ := at(m, "/meta/version")
	if etag := w.Header().Get("ETag"); etag == "" || etag != ver {
		t.Errorf("ETag = %q, want meta.version %v", etag, ver)
	}
	if m["userName"] != "alice" || m["active"] != true {
		t.Errorf("created user = %v, want userName alice, active true", m)
	}
}

func TestCreateErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		status   int
		scimType string
	}{
		{"malformed JSON", `{"userName": "x",`, 400, scim.ScimTypeInvalidSyntax},
		{"junk JSON (Postman)", `{"acve": tre}`, 400, scim.ScimTypeInvalidSyntax},
		{"empty body", ``, 400, scim.ScimTypeInvalidSyntax},
		{"array body", `[{"userName":"x"}]`, 400, scim.ScimTypeInvalidSyntax},
		{"string body", `"x"`, 400, scim.ScimTypeInvalidSyntax},
		{"null body", `null`, 400, scim.ScimTypeInvalidSyntax},
		{"wrong type", `{"userName": 5}`, 400, scim.ScimTypeInvalidValue},
		{"wrong boolean", `{"userName": "x", "active": "maybe"}`, 400, scim.ScimTypeInvalidValue},
		{"missing userName", `{"active": true}`, 400, scim.ScimTypeInvalidValue},
		{"duplicate userName other case", `{"userName": "ALICE"}`, 409, scim.ScimTypeUniqueness},
	}
	f := newFixture(t)
	f.create("/Users", userBody)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("POST", "/Users", tc.body, "Content-Type: application/json")
			m := wantError(t, w, tc.status, tc.scimType)
			if d, _ := m["detail"].(string); d == "" {
				t.Errorf("detail is empty")
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 64 })
	big := `{"userName":"` + strings.Repeat("x", 100) + `"}`
	wantError(t, f.do("POST", "/Users", big), 413, "")

	// Without Content-Length the limit still holds.
	r := httptest.NewRequest("POST", "/Users", strings.NewReader(big))
	r.ContentLength = -1
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	wantError(t, w, 413, "")
}

func TestStringBooleanAndUnknownSchemas(t *testing.T) {
	f := newFixture(t)
	w := f.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:unknown"],"userName":"emp1","active":"True"}`)
	if w.Code != 201 {
		t.Fatalf("POST = %d %s, want 201", w.Code, w.Body)
	}
	if m := decode(t, w); m["active"] != true {
		t.Errorf("active = %#v, want true", m["active"])
	}
}

func TestGet(t *testing.T) {
	f := newFixture(t)
	id := f.user("carol")
	w := f.do("GET", "/Users/"+id, "")
	if w.Code != 200 {
		t.Fatalf("GET = %d %s", w.Code, w.Body)
	}
	etag := w.Header().Get("ETag")
	if etag == "" {
		t.Fatalf("GET without ETag header")
	}
	tests := []struct {
		name string
		inm  string
		want int
	}{
		{"matching If-None-Match", etag, 304},
		{"star", "*", 304},
		{"list with match", `W/"nope", ` + etag, 304},
		{"other version", `W/"nope"`, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("GET", "/Users/"+id, "", "If-None-Match: "+tc.inm)
			if w.Code != tc.want {
				t.Fatalf("GET If-None-Match %q = %d, want %d", tc.inm, w.Code, tc.want)
			}
			if w.Header().Get("ETag") != etag {
				t.Errorf("ETag = %q, want %q", w.Header().Get("ETag"), etag)
			}
			if tc.want == 304 && w.Body.Len() != 0 {
				t.Errorf("304 with body %q", w.Body)
			}
		})
	}
}

func TestGetInactiveUser(t *testing.T) {
	f := newFixture(t)
	id := f.create("/Users", `{"userName":"gone","active":false}`)
	w := f.do("GET", "/Users/"+id, "")
	if w.Code != 200 || decode(t, w)["active"] != false {
		t.Fatalf("GET inactive user = %d %s, want 200 with active false", w.Code, w.Body)
	}
}

func TestMembersLoadedOnlyWhenReturned(t *testing.T) {
	f := newFixture(t)
	u := f.user("dave")
	g := f.group("g1", u)
	tests := []struct {
		name  string
		query string
		want  bool
	}{
		{"default", "", true},
		{"excluded", "?excludedAttributes=members", false},
		{"excluded any case", "?excludedAttributes=Members", false},
		{"parameter name any case", "?excludedattributes=members", false},
		{"excluded among others", "?excludedAttributes=externalId,members", false},
		{"attributes without members", "?attributes=displayName", false},
		{"attributes with members", "?attributes=displayName,members", true},
		{"attributes with member sub-attribute", "?attributes=members.value", true},
		{"excluded sub-attribute only", "?excludedAttributes=members.display", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("GET", "/Groups/"+g+tc.query, "")
			if w.Code != 200 {
				t.Fatalf("GET = %d %s", w.Code, w.Body)
			}
			if got := f.spy.lastGet().Members; got != tc.want {
				t.Errorf("GetOptions.Members = %v, want %v", got, tc.want)
			}
			w = f.do("GET", "/Groups"+tc.query, "")
			if w.Code != 200 {
				t.Fatalf("GET list = %d %s", w.Code, w.Body)
			}
			if got := f.spy.lastQuery().Members; got != tc.want {
				t.Errorf("Query.Members = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBackendErrorsAreHidden(t *testing.T) {
	f := newFixture(t)
	f.spy.failWith = errors.New("pq: connection to 10.0.0.7 refused, password=hunter2")
	w := f.do("GET", "/Users/x", "")
	m := wantError(t, w, 500, "")
	if strings.Contains(w.Body.String(), "hunter2") || strings.Contains(w.Body.String(), "10.0.0.7") {
		t.Errorf("500 body leaks the backend error: %s", w.Body)
	}
	if m["detail"] != "internal server error" {
		t.Errorf("detail = %v, want generic", m["detail"])
	}
	if !strings.Contains(f.logs.String(), "connection to 10.0.0.7") {
		t.Errorf("backend error not logged; logs: %s", f.logs)
	}
	f.spy.failWith = &scim.Error{Status: 503, Detail: "database is down at 10.0.0.7"}
	w = f.do("GET", "/Users?filter=userName%20eq%20%22x%22", "")
	wantError(t, w, 500, "")
	if strings.Contains(w.Body.String(), "10.0.0.7") {
		t.Errorf("5xx scim.Error detail leaked: %s", w.Body)
	}
}

// panicBackend panics on every call.
type panicBackend struct{ backend.Backend }

func (panicBackend) Get(context.Context, *scim.ResourceType, string, backend.GetOptions) (scim.Resource, error) {
	panic("boom")
}

func TestPanicRecovered(t *testing.T) {
	f := newFixture(t)
	f.h.be = panicBackend{}
	w := f.do("GET", "/Users/x", "")
	wantError(t, w, 500, "")
	if !strings.Contains(f.logs.String(), "boom") {
		t.Errorf("panic not logged: %s", f.logs)
	}
}

func TestBaseURLFromContext(t *testing.T) {
	f := newFixture(t)
	r := httptest.NewRequest("POST", "http://internal:8080/Users", strings.NewReader(userBody))
	r = r.WithContext(WithBaseURL(r.Context(), "https://scim.example.org/scim/acme/v2/"))
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != 201 {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	id, _ := decode(t, w)["id"].(string)
	want := "https://scim.example.org/scim/acme/v2/Users/" + id
	if got := w.Header().Get("Location"); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
}

func TestBaseURLBehindStripPrefix(t *testing.T) {
	f := newFixture(t)
	h := http.StripPrefix("/scim/t9/v2", f.h)
	r := httptest.NewRequest("POST", "http://host.example/scim/t9/v2/Users", strings.NewReader(userBody))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 201 {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	id, _ := decode(t, w)["id"].(string)
	if want := "http://host.example/scim/t9/v2/Users/" + id; w.Header().Get("Location") != want {
		t.Errorf("Location = %q, want %q", w.Header().Get("Location"), want)
	}
}

func TestHead(t *testing.T) {
	f := newFixture(t)
	id := f.user("hank")
	if w := f.do("HEAD", "/Users/"+id, ""); w.Code != 200 || w.Header().Get("ETag") == "" {
		t.Errorf("HEAD = %d with ETag %q, want 200 with ETag", w.Code, w.Header().Get("ETag"))
	}
}

// A backend that does not store "schemas" still yields resources with it.
func TestSchemasAddedWhenBackendOmitsThem(t *testing.T) {
	h := benchHandler()
	fb := h.cfg.Backend.(fixedBackend)
	delete(fb.user, "schemas")
	r := httptest.NewRequest("GET", "/Users/x", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	got, _ := at(decode(t, w), "/schemas")
	want := []any{scim.UserSchema, scim.EnterpriseUserSchema}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("schemas = %v, want %v", got, want)
	}
}
