package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/testdb"
	"github.com/provisio-dev/provisio/scim"
)

// TestFilterLimits: filters that are syntactically valid never give a 5xx
// (issue 8): big ORs of equalities are answered with the right users, and
// filters over the size, clause and nesting limits are refused with 400
// invalidFilter naming the limit, before any real work; nothing filters or
// sorts on the password. On every database, over real HTTP.
func TestFilterLimits(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			s := startServe(t, t.TempDir(), db.DSN(t))
			a := s.createTenant(t, "Filters")
			const users = 40
			ids := make([]string, users)
			for i := range users {
				password := "" // a few are enough, and each costs an argon2id hash
				if i < 3 {
					password = fmt.Sprintf(`"password":"Pa55-word-%d",`, i)
				}
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user%d@example.com",`+
					`"externalId":"ext-%d","displayName":"User %d","active":%t,%s`+
					`"emails":[{"type":"work","value":"user%d@example.com"}]}`, i, i, i, i%4 != 0, password, i)
				r := scimDo(t, "POST", a.TenantURL+"/Users", a.Token, body)
				if r.status != http.StatusCreated {
					t.Fatalf("POST /Users = %d %s", r.status, r.raw)
				}
				ids[i], _ = r.body["id"].(string)
			}
			testBigFilters(t, a, ids)
			testFilterOverLimits(t, a)
			testPasswordNotReadable(t, a)
		})
	}
}

// orFilter joins n clauses made by clause(k), k = 0..n-1, with "or".
func orFilter(n int, clause func(k int) string) string {
	parts := make([]string, n)
	for k := range parts {
		parts[k] = clause(k)
	}
	return strings.Join(parts, " or ")
}

// userNamesOf returns the userNames of a ListResponse, sorted.
func userNamesOf(r scimResponse) []string {
	res, _ := r.body["Resources"].([]any)
	var out []string
	for _, x := range res {
		m, _ := x.(map[string]any)
		s, _ := m["userName"].(string)
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// usersWhere returns the sorted userNames of the users i < n with keep(i).
func usersWhere(n int, keep func(i int) bool) []string {
	var out []string
	for i := range n {
		if keep(i) {
			out = append(out, fmt.Sprintf("user%d@example.com", i))
		}
	}
	slices.Sort(out)
	return out
}

func testBigFilters(t *testing.T, a createdTenant, ids []string) {
	n := len(ids)
	even := usersWhere(n, func(i int) bool { return i%2 == 0 })
	// A mixed OR names user 2k by id, userName, externalId or displayName.
	mixed := func(k int) string {
		i := 2 * k
		switch k % 4 {
		case 0:
			return fmt.Sprintf(`userName eq "USER%d@example.com"`, i)
		case 1:
			return fmt.Sprintf(`externalId eq "ext-%d"`, i)
		case 2:
			return fmt.Sprintf(`displayName eq "user %d"`, i)
		}
		id := fmt.Sprintf("no-such-id-%d", i)
		if i < n {
			id = ids[i]
		}
		return fmt.Sprintf(`id eq "%s"`, id)
	}
	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{"1,000-clause OR of userName", orFilter(1000, func(k int) string { return fmt.Sprintf(`userName eq "USER%d@example.com"`, 2*k) }), even},
		{"1,000-clause OR of id, userName, externalId and displayName", orFilter(1000, mixed), even},
		{"1,000-clause OR of ANDs", orFilter(500, func(k int) string { return fmt.Sprintf(`(userName eq "user%d@example.com" and active eq true)`, k) }),
			usersWhere(n, func(i int) bool { return i%4 != 0 })},
		{"1,000-clause AND", strings.Repeat(`active eq true and `, 999) + `externalId eq "ext-1"`, []string{"user1@example.com"}},
		{"OR of 1,000 active", orFilter(1000, func(k int) string { return fmt.Sprintf("active eq %t", k%2 == 0) }), usersWhere(n, func(int) bool { return true })},
		{"1,000 clauses in a value filter", "emails[" + orFilter(1000, func(k int) string { return fmt.Sprintf(`value eq "user%d@example.com"`, 2*k) }) + "]", even},
		{"OR evaluated in Go", orFilter(1000, func(k int) string { return fmt.Sprintf(`userName sw "user%d@"`, 2*k) }), even},
		{"nested 64 levels", strings.Repeat("(", 64) + `userName eq "user3@example.com"` + strings.Repeat(")", 64), []string{"user3@example.com"}},
		{"60,000-character literal", `userName eq "` + strings.Repeat("x", 60000) + `"`, nil},
		{"co with LIKE wildcards", `userName co "%" or externalId sw "_" or displayName ew "\\"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := scimDo(t, "GET", a.TenantURL+"/Users?count=100&filter="+url.QueryEscape(tt.filter), a.Token, "")
			t.Logf("GET with a %d-byte filter: %d in %v", len(tt.filter), r.status, time.Since(start))
			if got := userNamesOf(r); r.status != http.StatusOK || !slices.Equal(got, tt.want) || r.body["totalResults"] != float64(len(tt.want)) {
				t.Errorf("GET ?filter=%.80s... = %d %.300s: users %v, want 200 with %v", tt.filter, r.status, r.raw, got, tt.want)
			}
		})
	}
	// Values no stored string can hold are refused the same way on both
	// backends (PostgreSQL answered them with 500), never passed to SQL.
	for _, tt := range []struct{ name, filter, wantDetail string }{
		{"NUL in a value", `externalId eq "\u0000" or id eq "a\u0000"`, "control character"},
		{"invalid UTF-8 in a value", "externalId eq \"\xff\" or userName eq \"\xfe\" or id eq \"\xc3\"", "UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := scimDo(t, "GET", a.TenantURL+"/Users?filter="+url.QueryEscape(tt.filter), a.Token, "")
			if detail, _ := r.body["detail"].(string); r.status != http.StatusBadRequest || r.body["scimType"] != scim.ScimTypeInvalidFilter || !strings.Contains(detail, tt.wantDetail) {
				t.Errorf("GET ?filter=%q = %d %.300s, want 400 invalidFilter naming %q", tt.filter, r.status, r.raw, tt.wantDetail)
			}
		})
	}
}

// testFilterOverLimits sends filters over the limits in /.search bodies
// (a GET would meet the header size limit first).
func testFilterOverLimits(t *testing.T, a createdTenant) {
	search := func(filter string) string {
		b, _ := json.Marshal(map[string]any{"schemas": []string{scim.SearchRequestMessage}, "filter": filter})
		return string(b)
	}
	tests := []struct {
		name      string
		body      string
		wantLimit string // in the error detail
	}{
		{"1,001 clauses", search(orFilter(1001, func(k int) string { return fmt.Sprintf(`userName eq "u%d"`, k) })), "1000 clauses"},
		{"1,001 clauses in a value filter", search("emails[" + orFilter(1001, func(k int) string { return fmt.Sprintf(`value eq "u%d"`, k) }) + "]"), "1000 clauses"},
		{"65,537 bytes", search(`userName eq "` + strings.Repeat("x", 65537-14) + `"`), "65536 bytes"},
		{"nested 65 levels", search(strings.Repeat("(", 65) + `userName eq "x"` + strings.Repeat(")", 65)), "64 levels"},
		{"nested 100,000 levels", search(strings.Repeat("(", 100000) + `userName eq "x"` + strings.Repeat(")", 100000)), "65536 bytes"},
		{"62,000 clauses in 1 MiB", search(orFilter(62000, func(int) string { return `id eq "x"` })), "65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			r := scimDo(t, "POST", a.TenantURL+"/Users/.search", a.Token, tt.body)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("POST /.search with a %d-byte body: %d in %v, %d KiB allocated", len(tt.body), r.status, elapsed, allocated>>10)
			detail, _ := r.body["detail"].(string)
			if r.status != http.StatusBadRequest || r.body["scimType"] != scim.ScimTypeInvalidFilter || !strings.Contains(detail, tt.wantLimit) {
				t.Errorf("POST /.search = %d %.300s, want 400 invalidFilter naming %q", r.status, r.raw, tt.wantLimit)
			}
			if len(r.raw) > 2048 {
				t.Errorf("error response is %d bytes, want the filter not echoed whole", len(r.raw))
			}
			// The server runs in this process: what it allocated for the
			// request bounds its work (a parse of 62,000 clauses allocated
			// hundreds of MiB).
			if limit := uint64(16<<20) + 8*uint64(len(tt.body)); allocated > limit {
				t.Errorf("POST /.search allocated %d KiB, want at most %d KiB", allocated>>10, limit>>10)
			}
		})
	}
	r := scimDo(t, "POST", a.TenantURL+"/Users/.search", a.Token, search(strings.Repeat(" ", 1<<20)+`userName eq "x"`))
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("POST /.search over --max-body = %d %.300s, want 413", r.status, r.raw)
	}
}

// testPasswordNotReadable: the password (returned "never", RFC 7643 §4.1.1)
// cannot be probed with filters or sortBy.
func testPasswordNotReadable(t *testing.T, a createdTenant) {
	tests := []struct {
		name, query, wantType string
	}{
		{"filter sw", "filter=" + url.QueryEscape(`password sw "$argon2id$"`), scim.ScimTypeInvalidFilter},
		{"filter pr", "filter=" + url.QueryEscape(`password pr`), scim.ScimTypeInvalidFilter},
		{"filter with schema URI", "filter=" + url.QueryEscape(`urn:ietf:params:scim:schemas:core:2.0:User:password gt "$"`), scim.ScimTypeInvalidFilter},
		{"filter inside not and or", "filter=" + url.QueryEscape(`userName pr and not (password lt "$b")`), scim.ScimTypeInvalidFilter},
		{"sortBy", "sortBy=password", scim.ScimTypeInvalidValue},
		{"sortBy in upper case", "sortBy=PASSWORD&sortOrder=descending", scim.ScimTypeInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scimDo(t, "GET", a.TenantURL+"/Users?"+tt.query, a.Token, "")
			if detail, _ := r.body["detail"].(string); r.status != http.StatusBadRequest || r.body["scimType"] != tt.wantType || !strings.Contains(detail, "never returned") {
				t.Errorf("GET /Users?%s = %d %.300s, want 400 %s: never returned", tt.query, r.status, r.raw, tt.wantType)
			}
		})
	}
}
