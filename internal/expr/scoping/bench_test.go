package scoping

import (
	"testing"
	"time"
)

// BenchmarkMatch matches one filter of three clauses (EQUALS, REGEX MATCH,
// IS TRUE) against a directory user: the cost per object of a cycle. The
// allocations are directory.User.Attr's, boxing a string in an any.
func BenchmarkMatch(b *testing.B) {
	var u Object = user{User: alice().User}
	tests := []struct {
		name    string
		clauses []Clause
		want    bool
	}{
		{"in scope", []Clause{
			{"department", Equals, "Sales"},
			{"userPrincipalName", RegexMatch, `.*@contoso\.com$`},
			{"accountEnabled", IsTrue, ""},
		}, true},
		{"out of scope", []Clause{
			{"department", Equals, "Sales"},
			{"userPrincipalName", RegexMatch, `.*@fabrikam\.com$`},
			{"accountEnabled", IsTrue, ""},
		}, false},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			s, err := Filters{{Clauses: tc.clauses}}.Compile()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if in, _ := s.Match(u, now); in != tc.want {
					b.Fatalf("Match = %v, want %v", in, tc.want)
				}
			}
		})
	}
}

// boxed is an Object whose values are already in interfaces, so that
// what Match allocates shows alone.
type boxed map[string]any

func (o boxed) Attr(name string) (any, bool) { v, ok := o[name]; return v, ok }
func (o boxed) MemberOf(group string) bool   { return group == "g" }

func TestMatchAllocs(t *testing.T) {
	var obj Object = boxed{
		"department": "Sales", "userPrincipalName": "alice@contoso.com", "accountEnabled": true,
		"employeeId": "1500000", "hireDate": "2026-11-01", "proxyAddresses": []string{"smtp:a@contoso.com"},
	}
	tests := []struct {
		name string
		f    Filters
		want bool
	}{
		{"in scope", Filters{{Clauses: []Clause{
			{"department", Equals, "Sales"}, {"userPrincipalName", RegexMatch, `@contoso\.com$`}, {"accountEnabled", IsTrue, ""},
			{"employeeId", GreaterThan, "1000"}, {"hireDate", OlderThan, "0d"}, {"proxyAddresses", NotEquals, "x"}, {"", MemberOf, "g"},
		}}}, true},
		{"out of scope, null", Filters{{Clauses: []Clause{{"jobTitle", IsNotNull, ""}}}, {Clauses: []Clause{{"department", Includes, "x"}}}}, false},
	}
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.f.Compile()
			if err != nil {
				t.Fatal(err)
			}
			if in, reason := s.Match(obj, now); in != tc.want {
				t.Fatalf("Match = %v (%s), want %v", in, reason, tc.want)
			}
			if got := testing.AllocsPerRun(100, func() { s.Match(obj, now) }); got != 0 {
				t.Errorf("Match allocates %v times per run, want 0", got)
			}
		})
	}
}
