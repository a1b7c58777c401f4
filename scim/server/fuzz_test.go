package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler checks that no input makes the Handler answer 5xx or
// something other than a SCIM JSON body: bad input is always a 4xx.
func FuzzHandler(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/Users", `{"userName":"a","emails":[{"value":"x","primary":"True"}]}`},
		{"POST", "/Groups", `{"displayName":"g","members":[{"value":"x"}]}`},
		{"GET", "/Users?filter=userName%20eq%20%22a%22&sortBy=emails.value&attributes=emails[type%20eq%20%22work%22]", ""},
		{"PATCH", "/Users/ID", `{"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"x"},{"op":"add","value":{"name.givenName":"y"}}]}`},
		{"PATCH", "/Groups/GID", `{"Operations":[{"op":"remove","path":"members[value eq \"x\"]"}]}`},
		{"PUT", "/Users/ID", `{"userName":"b","manager":"m"}`},
		{"POST", "/Bulk", `{"Operations":[{"method":"POST","path":"/Users","bulkId":"1","data":{"userName":"c"}},{"method":"PATCH","path":"/Users/bulkId:1","data":{"Operations":[{"op":"remove","path":"userName"}]}}]}`},
		{"POST", "/.search", `{"filter":"meta.created gt 2015-10-10T14:38:21Z","count":-1,"startIndex":-4}`},
		{"DELETE", "/Groups/GID", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	fx := newFixture(f)
	uid := fx.user("seed")
	gid := fx.group("seed", uid)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			method = "GET"
		}
		path = strings.NewReplacer("ID", uid, "GID", gid).Replace(path)
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		r := httptest.NewRequest(method, "http://example.com/", strings.NewReader(body))
		r.URL.Path, r.URL.RawQuery, _ = strings.Cut(path, "?")
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q = %d %s", method, path, body, w.Code, w.Body)
		}
		if w.Code != 204 && w.Code != 304 && !strings.HasPrefix(w.Body.String(), "{") {
			t.Fatalf("%s %s = %d with non-JSON body %q", method, path, w.Code, w.Body)
		}
	})
}
