package adminapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestJobTenantURLOriginNeedsToken: a Tenant URL whose scheme, host or
// port changes needs the Secret Token again, so the stored token is never
// sent to another host; a path-only change keeps it.
func TestJobTenantURLOriginNeedsToken(t *testing.T) {
	f, tenantURL, _ := jobFixture(t)
	var mu sync.Mutex
	var seen []string // Authorization headers that reached elsewhere
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`))
	}))
	defer elsewhere.Close()
	u, _ := url.Parse(tenantURL)
	otherPort := strings.TrimPrefix(elsewhere.URL, "http://127.0.0.1")

	for _, tc := range []struct{ name, url string }{
		{"port", "http://127.0.0.1" + otherPort + u.Path},
		{"host", "http://localhost:" + u.Port() + u.Path},
		{"scheme", "https://" + u.Host + u.Path},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.must(t, 400, "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"`+tc.url+`"}`)
			if msg := r.body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "send the secret token again") {
				t.Errorf("PUT job with a new %s and no token = %s, want a message asking for the secret token", tc.name, r.raw)
			}
		})
	}
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job", ""); r.body["tenantUrl"] != tenantURL {
		t.Errorf("GET job after refused changes = %s, want tenantUrl %s", r.raw, tenantURL)
	}

	f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"`+tenantURL+`/elsewhere/on/the/same/host"}`)
	f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"`+strings.Replace(tenantURL, "http://", "HTTP://", 1)+`"}`)
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", ""); r.body["ok"] != true {
		t.Errorf("POST job/test after path-only changes = %s, want ok with the kept token", r.raw)
	}

	f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"`+elsewhere.URL+`/scim/v2","token":"pvt_for_elsewhere"}`)
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", ""); r.body["ok"] != true {
		t.Errorf("POST job/test after a host change with its token = %s, want ok", r.raw)
	}
	mu.Lock()
	defer mu.Unlock()
	// Schema discovery (on save and test) and Test Connection: every
	// request with the token given for elsewhere.
	if len(seen) == 0 || slices.ContainsFunc(seen, func(a string) bool { return a != "Bearer pvt_for_elsewhere" }) {
		t.Errorf("elsewhere saw Authorization %q, want only the token given for it", seen)
	}
}
