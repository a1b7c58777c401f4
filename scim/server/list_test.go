package server

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func userNames(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	res, _ := m["Resources"].([]any)
	for _, r := range res {
		name, _ := r.(map[string]any)["userName"].(string)
		out = append(out, name)
	}
	return out
}

func TestListPaging(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.DefaultCount = 3; c.MaxCount = 4 })
	for i := 1; i <= 6; i++ {
		f.user(fmt.Sprintf("u%d", i))
	}
	tests := []struct {
		name      string
		query     string
		wantStart float64
		wantNames string
	}{
		{"default count", "", 1, "u1 u2 u3"},
		{"first page of two", "?startIndex=1&count=2", 1, "u1 u2"},
		{"second page of two", "?startIndex=3&count=2", 3, "u3 u4"},
		{"startIndex 0 means 1", "?startIndex=0&count=2", 1, "u1 u2"},
		{"negative startIndex means 1", "?startIndex=-5&count=1", 1, "u1"},
		{"count 0 returns only the total", "?count=0", 1, ""},
		{"negative count means 0", "?count=-3", 1, ""},
		{"count capped at MaxCount", "?count=100", 1, "u1 u2 u3 u4"},
		{"huge count capped", "?count=99999999999999999999999", 1, "u1 u2 u3 u4"},
		{"past the end", "?startIndex=7", 7, ""},
		{"parameter names in any case", "?STARTINDEX=2&Count=1", 2, "u2"},
		{"last partial page", "?startIndex=5&count=4", 5, "u5 u6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("GET", "/Users"+tc.query, "")
			if w.Code != 200 {
				t.Fatalf("GET /Users%s = %d %s", tc.query, w.Code, w.Body)
			}
			m := decode(t, w)
			got := strings.Join(userNames(t, m), " ")
			if got != tc.wantNames {
				t.Errorf("GET /Users%s names = %q, want %q", tc.query, got, tc.wantNames)
			}
			if m["totalResults"] != float64(6) {
				t.Errorf("totalResults = %v, want 6", m["totalResults"])
			}
			if m["startIndex"] != tc.wantStart {
				t.Errorf("startIndex = %v, want %v", m["startIndex"], tc.wantStart)
			}
			if n := len(userNames(t, m)); m["itemsPerPage"] != float64(n) {
				t.Errorf("itemsPerPage = %v, want %d", m["itemsPerPage"], n)
			}
			if !strings.Contains(w.Body.String(), `"Resources":[`) {
				t.Errorf("Resources missing or null: %s", w.Body)
			}
		})
	}
}

func TestListBadParams(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name     string
		query    string
		scimType string
	}{
		{"startIndex not a number", "?startIndex=abc", scim.ScimTypeInvalidValue},
		{"count not a number", "?count=1.5", scim.ScimTypeInvalidValue},
		{"bad sortOrder", "?sortBy=userName&sortOrder=sideways", scim.ScimTypeInvalidValue},
		{"unknown sortBy", "?sortBy=shoeSize", scim.ScimTypeInvalidValue},
		{"malformed sortBy", "?sortBy=a..b", scim.ScimTypeInvalidValue},
		{"filter syntax", "?filter=" + url.QueryEscape(`userName eq "x" and`), scim.ScimTypeInvalidFilter},
		{"filter unknown attribute", "?filter=" + url.QueryEscape(`shoeSize eq "x"`), scim.ScimTypeInvalidFilter},
		{"filter bad operator", "?filter=" + url.QueryEscape(`userName zz "x"`), scim.ScimTypeInvalidFilter},
		{"unbalanced parenthesis", "?filter=" + url.QueryEscape(`(userName eq "x"`), scim.ScimTypeInvalidFilter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, f.do("GET", "/Users"+tc.query, ""), 400, tc.scimType)
		})
	}
}

func TestFilterErrorNamesPosition(t *testing.T) {
	f := newFixture(t)
	m := wantError(t, f.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "x" and`), ""), 400, scim.ScimTypeInvalidFilter)
	if d, _ := m["detail"].(string); !strings.Contains(d, "column") {
		t.Errorf("detail %q does not name the position", d)
	}
}

func TestListFilter(t *testing.T) {
	f := newFixture(t)
	f.user("Olivia")
	f.user("oscar")
	f.user("peter")
	f.create("/Users", `{"userName":"quinn","active":false,"emails":[{"type":"work","value":"q@corp.example"}]}`)
	tests := []struct {
		name   string
		filter string
		want   string
	}{
		{"eq case-insensitive", `userName eq "OLIVIA"`, "Olivia"},
		{"random GUID probe", `userName eq "0c5e1f47-51b4-4b26-9b84-27a0c3a5dd3e"`, ""},
		{"sw", `userName sw "o"`, "Olivia oscar"},
		{"unquoted (lenient default)", `userName sw O`, "Olivia oscar"},
		{"inactive users are found", `active eq false`, "quinn"},
		{"Entra work e-mail", `emails[type eq "work"].value eq "q@corp.example"`, "quinn"},
		{"or", `userName eq "peter" or userName eq "quinn"`, "peter quinn"},
		{"meta.created unquoted date", `meta.created gt 2015-10-10T14:38:21.8617979-07:00`, "Olivia oscar peter quinn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("GET", "/Users?filter="+url.QueryEscape(tc.filter), "")
			if w.Code != 200 {
				t.Fatalf("GET filter %q = %d %s", tc.filter, w.Code, w.Body)
			}
			m := decode(t, w)
			if got := strings.Join(userNames(t, m), " "); got != tc.want {
				t.Errorf("filter %q = %q, want %q", tc.filter, got, tc.want)
			}
			if tc.want == "" && !strings.Contains(w.Body.String(), `"Resources":[]`) {
				t.Errorf("empty result must have Resources: [], got %s", w.Body)
			}
		})
	}
}

func TestStrictFiltersUnderRFCPolicy(t *testing.T) {
	f := newFixture(t, func(c *Config) { p := PolicyRFC; c.Policy = &p })
	wantError(t, f.do("GET", "/Users?filter="+url.QueryEscape(`userName sw O`), ""), 400, scim.ScimTypeInvalidFilter)
	// The tenant's policy from the context wins over Config.Policy.
	r := f.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "x"`), "")
	if r.Code != 200 {
		t.Errorf("quoted filter under PolicyRFC = %d, want 200", r.Code)
	}
}

func TestListSort(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"delta", "Alpha", "charlie", "Bravo"} {
		f.user(n)
	}
	tests := []struct {
		query string
		want  string
	}{
		{"?sortBy=userName", "Alpha Bravo charlie delta"},
		{"?sortBy=USERNAME&sortOrder=ascending", "Alpha Bravo charlie delta"},
		{"?sortBy=userName&sortOrder=Descending", "delta charlie Bravo Alpha"},
		{"?sortBy=meta.created&sortOrder=descending&count=1", "Bravo"},
		{"", "delta Alpha charlie Bravo"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			w := f.do("GET", "/Users"+tc.query, "")
			if w.Code != 200 {
				t.Fatalf("GET %s = %d %s", tc.query, w.Code, w.Body)
			}
			if got := strings.Join(userNames(t, decode(t, w)), " "); got != tc.want {
				t.Errorf("GET /Users%s = %q, want %q", tc.query, got, tc.want)
			}
		})
	}
}

func TestListAttributes(t *testing.T) {
	f := newFixture(t)
	f.user("erin")
	w := f.do("GET", "/Users?attributes=userName,emails", "")
	m := decode(t, w)
	r, _ := at(m, "/Resources/0")
	res, _ := r.(map[string]any)
	if res["userName"] != "erin" || res["emails"] == nil || res["id"] == nil {
		t.Errorf("attributes=userName,emails gave %v, want userName, emails and id", res)
	}
	if _, ok := res["name"]; ok {
		t.Errorf("attributes=userName,emails returned name: %v", res)
	}
	w = f.do("GET", "/Users?excludedAttributes=emails", "")
	r, _ = at(decode(t, w), "/Resources/0")
	if _, ok := r.(map[string]any)["emails"]; ok {
		t.Errorf("excludedAttributes=emails returned emails: %v", r)
	}
}

func TestSearch(t *testing.T) {
	f := newFixture(t)
	f.user("frank")
	f.user("grace")
	u := f.user("heidi")
	f.group("staff", u)
	f.group("admins")
	tests := []struct {
		name      string
		path      string
		body      string
		wantTotal float64
		wantIDs   int
	}{
		{"resource search", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"g\"","attributes":["userName"]}`, 1, 1},
		{"resource search paging", "/Users/.search", `{"startIndex":2,"count":1}`, 3, 1},
		{"root search all types", "/.search", `{}`, 5, 5},
		{"root search page across types", "/.search", `{"startIndex":3,"count":2}`, 5, 2},
		{"root search filter known to one type", "/.search", `{"filter":"displayName eq \"staff\""}`, 1, 1},
		{"root search filter on common attribute", "/.search", `{"filter":"meta.created pr"}`, 5, 5},
		{"root search count 0", "/.search", `{"count":0}`, 5, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.do("POST", tc.path, tc.body)
			if w.Code != 200 {
				t.Fatalf("POST %s = %d %s", tc.path, w.Code, w.Body)
			}
			m := decode(t, w)
			if m["totalResults"] != tc.wantTotal {
				t.Errorf("totalResults = %v, want %v", m["totalResults"], tc.wantTotal)
			}
			res, _ := m["Resources"].([]any)
			if len(res) != tc.wantIDs {
				t.Errorf("len(Resources) = %d, want %d: %s", len(res), tc.wantIDs, w.Body)
			}
		})
	}
	t.Run("root search page spans types in order", func(t *testing.T) {
		w := f.do("POST", "/.search", `{"startIndex":3,"count":2}`)
		m := decode(t, w)
		types := []string{}
		for _, r := range m["Resources"].([]any) {
			rt, _ := at(r, "/meta/resourceType")
			types = append(types, fmt.Sprint(rt))
		}
		if got := strings.Join(types, " "); got != "User Group" {
			t.Errorf("resource types on page = %q, want %q", got, "User Group")
		}
	})
	t.Run("root search filter no type knows", func(t *testing.T) {
		wantError(t, f.do("POST", "/.search", `{"filter":"shoeSize eq 4"}`), 400, scim.ScimTypeInvalidFilter)
	})
	t.Run("malformed search body", func(t *testing.T) {
		wantError(t, f.do("POST", "/Users/.search", `{"filter":`), 400, scim.ScimTypeInvalidSyntax)
		wantError(t, f.do("POST", "/Users/.search", `{"count":"ten"}`), 400, scim.ScimTypeInvalidSyntax)
	})
}
