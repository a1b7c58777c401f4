package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

// TestFilterRefusals: filters over the limits of scim/filter, and filters
// or sortBy on the password (returned "never"), are 400 with a detail that
// names the limit or the attribute and does not echo a large filter whole.
func TestFilterRefusals(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	many := strings.Repeat(`userName eq "x" or `, 1000) + `userName eq "alice"`
	search := func(filter string) string {
		b, _ := json.Marshal(map[string]any{"schemas": []string{scim.SearchRequestMessage}, "filter": filter})
		return string(b)
	}
	tests := []struct {
		name, method, path, body string
		scimType, wantDetail     string
	}{
		{"1,001 clauses", "GET", "/Users?filter=" + url.QueryEscape(many), "",
			scim.ScimTypeInvalidFilter, "more than the limit of 1000 clauses"},
		{"over 64 KiB", "POST", "/Users/.search", search(`userName eq "` + strings.Repeat("é", 40000) + `"`),
			scim.ScimTypeInvalidFilter, "over the limit of 65536 bytes"},
		{"over 64 KiB at the root", "POST", "/.search", search(strings.Repeat(" ", 70000) + `userName pr`),
			scim.ScimTypeInvalidFilter, "over the limit of 65536 bytes"},
		{"password filter", "GET", "/Users?filter=" + url.QueryEscape(`password sw "$argon2id$"`), "",
			scim.ScimTypeInvalidFilter, `"urn:ietf:params:scim:schemas:core:2.0:User:password" is never returned`},
		{"password sortBy", "GET", "/Users?sortBy=password", "",
			scim.ScimTypeInvalidValue, `sortBy: attribute "urn:ietf:params:scim:schemas:core:2.0:User:password" is never returned`},
		{"password sortBy in a search", "POST", "/Users/.search", `{"sortBy":"Password"}`,
			scim.ScimTypeInvalidValue, `is never returned`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(tt.method, tt.path, tt.body)
			m := wantError(t, w, 400, tt.scimType)
			if detail, _ := m["detail"].(string); !strings.Contains(detail, tt.wantDetail) {
				t.Errorf("%s %.60s detail = %q, want it to contain %q", tt.method, tt.path, detail, tt.wantDetail)
			}
			if w.Body.Len() > 1024 {
				t.Errorf("%s %.60s answered %d bytes, want the filter not echoed whole", tt.method, tt.path, w.Body.Len())
			}
		})
	}
}

func TestQuoteStart(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short", `userName eq "x"`, `"userName eq \"x\""`},
		{"100 bytes", strings.Repeat("a", 100), `"` + strings.Repeat("a", 100) + `"`},
		{"cut", strings.Repeat("a", 101), `"` + strings.Repeat("a", 100) + `"...`},
		{"cut at a character boundary", strings.Repeat("a", 99) + "éé", `"` + strings.Repeat("a", 99) + `"...`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quoteStart(tt.in); got != tt.want {
				t.Errorf("quoteStart(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
