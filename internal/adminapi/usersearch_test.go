package adminapi

import (
	"strings"
	"testing"
)

// TestListUsersSearch: GET /users?search= keeps the users whose
// userPrincipalName starts with the text, case-insensitively, with paging.
func TestListUsersSearch(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	for _, upn := range []string{"Ann@x.io", "anna@x.io", "bob@ann.io", "carl@x.io"} {
		f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"`+upn+`"}`)
	}
	upns := func(r response) string {
		var out []string
		for _, u := range r.body["users"].([]any) {
			out = append(out, u.(map[string]any)["userPrincipalName"].(string))
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"search=aNn":                          "Ann@x.io,anna@x.io",
		"search=aNn&limit=1&after=Ann%40x.io": "anna@x.io",
		"search=carl%40":                      "carl@x.io",
		"search=zed":                          "",
		"search=":                             "Ann@x.io,anna@x.io,bob@ann.io,carl@x.io",
	} {
		if got := upns(f.must(t, 200, "GET", "/api/v1/users?"+q, "")); got != want {
			t.Errorf("GET /api/v1/users?%s = %s, want %s", q, got, want)
		}
	}
	if r := f.must(t, 200, "GET", "/api/v1/users?search=ann&limit=1", ""); r.body["next"] != "Ann@x.io" {
		t.Errorf("GET /api/v1/users?search=ann&limit=1 next = %v, want Ann@x.io", r.body["next"])
	}
	f.must(t, 400, "GET", "/api/v1/users?search="+strings.Repeat("a", 5000), "")
}
