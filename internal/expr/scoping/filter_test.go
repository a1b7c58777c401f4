package scoping

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
)

// user is a directory user as the engine will offer it: attributes from
// the directory's catalog (directory.User.Attr), groups from a set, plus
// test-only attributes of the types the catalog does not have.
type user struct {
	*directory.User
	groups map[string]bool
	extra  map[string]any // by lower-case name
}

func (u user) Attr(name string) (any, bool) {
	if u.extra != nil {
		if v, ok := u.extra[strings.ToLower(name)]; ok {
			return v, true
		}
	}
	return u.User.Attr(name)
}

func (u user) MemberOf(group string) bool { return u.groups[group] }

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func alice() user {
	return user{
		User: &directory.User{
			ObjectID:          "u1",
			UserPrincipalName: "alice@contoso.com",
			DisplayName:       "Alice Smith",
			Department:        "Sales",
			EmployeeID:        "1500000",
			JobTitle:          "",
			AccountEnabled:    true,
			Extensions: map[string]string{
				"extension_hireDate":  "2026-11-01",
				"extension_startTime": "12/10/2026 8:00:00 AM",
				"extension_flag":      "yes",
			},
		},
		groups: map[string]bool{"Sales EMEA": true, "g-42": true},
		extra: map[string]any{
			"proxyaddresses": []string{"smtp:alice@contoso.com", "SMTP:a.smith@contoso.com"},
			"emptylist":      []string{},
			"level":          int64(7),
		},
	}
}

func TestMatchClause(t *testing.T) {
	tests := []struct {
		clause string
		want   bool
	}{
		// Entra's operators.
		{`department EQUALS Sales`, true},
		{`department EQUALS sales`, false}, // case-sensitive
		{`DEPARTMENT EQUALS Sales`, true},  // attribute names are not
		{`department NOT EQUALS sales`, true},
		{`department NOT EQUALS Sales`, false},
		{`jobTitle NOT EQUALS Sales`, false}, // null: false
		{`jobTitle EQUALS Sales`, false},
		{`userPrincipalName ENDS_WITH @contoso.com`, true},
		{`userPrincipalName ENDS_WITH @CONTOSO.COM`, false},
		{`displayName Includes Smith`, true},
		{`displayName Includes smith`, false},
		{`department & Sales,Marketing`, true},
		{`department & Marketing,HR`, false},
		{`department !& Marketing,HR`, true},
		{`department !& Sales,Marketing`, false},
		{`jobTitle !& Sales`, false}, // null: false
		{`employeeId Greater_Than 1000000`, true},
		{`employeeId Greater_Than 1500000`, false},
		{`employeeId Greater_Than_OR_EQUALS 1500000`, true},
		{`employeeId Greater_Than_OR_EQUALS 1500001`, false},
		{`department Greater_Than 0`, false}, // not an integer
		{`level Greater_Than 6`, true},       // int64
		{`accountEnabled IS TRUE`, true},
		{`accountEnabled IS FALSE`, false},
		{`extension_flag IS TRUE`, true}, // scim.ParseBool
		{`department IS TRUE`, false},
		{`department IS FALSE`, false},
		{`jobTitle IS TRUE`, false},
		{`jobTitle IS NULL`, true},
		{`jobTitle IS NOT NULL`, false},
		{`department IS NULL`, false},
		{`department IS NOT NULL`, true},
		{`extension_unknown IS NULL`, true},
		{`accountEnabled IS NOT NULL`, true},
		{`accountEnabled EQUALS true`, true},
		{`userPrincipalName REGEX MATCH .*\@contoso.com`, true}, // Entra's example
		{`userPrincipalName REGEX MATCH contoso`, true},         // unanchored
		{`userPrincipalName REGEX MATCH ^contoso`, false},
		{`userPrincipalName REGEX MATCH CONTOSO`, false}, // case-sensitive
		{`employeeId REGEX MATCH (1[0-9][0-9][0-9][0-9][0-9][0-9])`, true},
		{`userPrincipalName NOT REGEX MATCH .*@fabrikam\.com`, true},
		{`userPrincipalName NOT REGEX MATCH .*@contoso\.com`, false},
		{`jobTitle NOT REGEX MATCH x`, false}, // null: false (SCOPE)
		// Multi-valued: any value; NOT operators: no value.
		{`proxyAddresses Includes a.smith@`, true},
		{`proxyAddresses EQUALS smtp:alice@contoso.com`, true},
		{`proxyAddresses NOT EQUALS smtp:alice@contoso.com`, false},
		{`proxyAddresses NOT EQUALS smtp:bob@contoso.com`, true},
		{`proxyAddresses NOT REGEX MATCH ^SMTP:`, false},
		{`proxyAddresses REGEX MATCH ^x`, false},
		{`emptyList IS NULL`, true},
		{`emptyList NOT EQUALS x`, false},
		// Groups.
		{`MEMBER_OF Sales EMEA`, true},
		{`MEMBER_OF g-42`, true},
		{`MEMBER_OF Finance`, false},
		{`NOT_MEMBER_OF Finance`, true},
		{`NOT_MEMBER_OF g-42`, false},
		// Dates, now = 2026-12-03T12:00Z, hired 2026-11-01.
		{`extension_hireDate OLDER_THAN 0d`, true},
		{`extension_hireDate OLDER_THAN 32d`, true}, // exactly 32d 12h ago
		{`extension_hireDate OLDER_THAN 33d`, false},
		{`extension_hireDate NEWER_THAN 33d`, true},
		{`extension_hireDate NEWER_THAN 2w`, false},
		{`extension_startTime OLDER_THAN 0d`, false}, // starts 12/10
		{`extension_startTime OLDER_THAN -7d`, true}, // within a week
		{`extension_startTime OLDER_THAN -6d`, false},
		{`extension_startTime NEWER_THAN 0d`, true}, // in the future
		{`extension_hireDate AFTER 2026-10-31T23:59:59Z`, true},
		{`extension_hireDate AFTER 2026-11-01`, false},
		{`extension_hireDate BEFORE 11/2/2026`, true},
		{`department OLDER_THAN 0d`, false}, // not a date
		{`jobTitle OLDER_THAN 0d`, false},
	}
	for _, tc := range tests {
		t.Run(tc.clause, func(t *testing.T) {
			c, err := ParseClause(tc.clause)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Filters{{Clauses: []Clause{c}}}.Compile()
			if err != nil {
				t.Fatal(err)
			}
			if got, reason := s.Match(alice(), now); got != tc.want {
				t.Errorf("Match(%s) = %v (%q), want %v", tc.clause, got, reason, tc.want)
			}
		})
	}
}

func TestMatchFilters(t *testing.T) {
	sales := Filter{Clauses: []Clause{{"department", Equals, "Sales"}, {"accountEnabled", IsTrue, ""}}}
	hr := Filter{Clauses: []Clause{{"department", Equals, "HR"}}}
	titled := Filter{Clauses: []Clause{{"department", IsNotNull, ""}, {"jobTitle", IsNotNull, ""}}}
	tests := []struct {
		name       string
		filters    Filters
		wantIn     bool
		wantReason string
	}{
		{"no filters", nil, true, ""},
		{"all clauses true", Filters{sales}, true, ""},
		{"one filter false", Filters{hr}, false, "scoping filter: department EQUALS HR is false"},
		{"null attribute named", Filters{titled}, false, "scoping filter: jobTitle IS NOT NULL is false (jobTitle is empty)"},
		{"any filter true", Filters{hr, sales}, true, ""},
		{"no filter true", Filters{sales, hr, titled}[1:], false,
			"no scoping filter matched (2 filters); filter 2: jobTitle IS NOT NULL is false (jobTitle is empty)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.filters.Compile()
			if err != nil {
				t.Fatal(err)
			}
			in, reason := s.Match(alice(), now)
			if in != tc.wantIn || reason != tc.wantReason {
				t.Errorf("Match = %v, %q, want %v, %q", in, reason, tc.wantIn, tc.wantReason)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	sales := Filter{Clauses: []Clause{{"department", Equals, "Sales"}, {"jobTitle", IsNotNull, ""}}}
	emea := Filter{Clauses: []Clause{{"", MemberOf, "Sales EMEA"}}}
	tests := []struct {
		name    string
		filters Filters
		want    []ClauseResult
	}{
		{"no filters", nil, nil},
		{"every clause, false ones too", Filters{sales}, []ClauseResult{
			{1, Clause{"department", Equals, "Sales"}, true}, {1, Clause{"jobTitle", IsNotNull, ""}, false}}},
		{"numbered filters", Filters{sales, emea}, []ClauseResult{
			{1, Clause{"department", Equals, "Sales"}, true}, {1, Clause{"jobTitle", IsNotNull, ""}, false},
			{2, Clause{"", MemberOf, "Sales EMEA"}, true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.filters.Compile()
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Explain(alice(), now); !slices.Equal(got, tc.want) {
				t.Errorf("Explain(alice) = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestNilSet(t *testing.T) {
	var s *Set
	if in, reason := s.Match(alice(), now); !in || reason != "" || !s.Empty() || s.Attributes() != nil || s.Groups() != nil {
		t.Errorf("nil Set: Match = %v, %q, Empty = %v, want true, \"\", true", in, reason, s.Empty())
	}
}

func TestSetAttributesGroups(t *testing.T) {
	f := Filters{
		{Clauses: []Clause{{"Department", Equals, "Sales"}, {"", MemberOf, "Sales EMEA"}, {"userPrincipalName", IsNotNull, ""}}},
		{Clauses: []Clause{{"department", Equals, "HR"}, {"", NotMemberOf, "g-42"}, {"", MemberOf, "Sales EMEA"}}},
	}
	s, err := f.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Attributes(), []string{"department", "userprincipalname"}; !slices.Equal(got, want) {
		t.Errorf("Attributes() = %q, want %q", got, want)
	}
	if got, want := s.Groups(), []string{"Sales EMEA", "g-42"}; !slices.Equal(got, want) {
		t.Errorf("Groups() = %q, want %q", got, want)
	}
	if s.Empty() {
		t.Error("Empty() = true, want false")
	}
	s.Attributes()[0] = "x"
	if got := s.Attributes()[0]; got != "department" {
		t.Errorf("Attributes()[0] = %q after changing a copy, want department", got)
	}
}

func TestFiltersValidate(t *testing.T) {
	f := Filters{
		{Clauses: []Clause{{"department", Equals, "Sales"}, {"upn", RegexMatch, "("}}},
		{},
		{Clauses: []Clause{{"", Equals, "x"}, {"jobTitle", IsNull, "x"}}},
	}
	err := f.Validate()
	if err == nil {
		t.Fatal("Validate() = nil, want errors")
	}
	want := []string{
		"filter 1 clause 2: REGEX MATCH value: not an RE2 regular expression",
		"filter 2: no clauses",
		"filter 3 clause 1: EQUALS needs an attribute",
		`filter 3 clause 2: IS NULL takes no value, not "x"`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("Validate() = %q, want %d problems", err, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("Validate() problem %d = %q, want %q...", i+1, lines[i], w)
		}
	}
	if _, err := f.Compile(); err == nil || !strings.HasPrefix(err.Error(), "compile scoping filters: filter 1 clause 2") {
		t.Errorf("Compile() error = %v, want the problems", err)
	}
	if err := (Filters{}).Validate(); err != nil {
		t.Errorf("Filters{}.Validate() = %v, want nil", err)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-12-03", time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), true},
		{"2026-12-03T09:30:00Z", time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), true},
		{"2026-12-03T09:30:00.5+01:00", time.Date(2026, 12, 3, 8, 30, 0, 5e8, time.UTC), true},
		{"2026-12-03T09:30:00", time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), true},
		{"12/3/2026 9:30:00 PM", time.Date(2026, 12, 3, 21, 30, 0, 0, time.UTC), true},
		{"12/3/2026", time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), true},
		{"03.12.2026", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := parseDate(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseDate(%q) = %v, %v, want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
