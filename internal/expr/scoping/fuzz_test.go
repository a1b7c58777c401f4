package scoping

import "testing"

// Seeds are added below; inputs that once failed stay in testdata/fuzz.
// Run with
//
//	go test -run='^$' -fuzz='^FuzzParseClause$' -fuzztime=60s ./internal/expr/scoping
//	go test -run='^$' -fuzz='^FuzzClauseString$' -fuzztime=30s ./internal/expr/scoping

// FuzzParseClause checks that no input panics ParseClause, Compile or
// Match, and that a clause read back from its String is the same clause.
func FuzzParseClause(f *testing.F) {
	for _, s := range []string{
		`department EQUALS Sales`,
		`userPrincipalName REGEX MATCH .*@contoso\.com`,
		`accountEnabled IS TRUE`,
		`jobTitle is_not_null`,
		`extension_hireDate OLDER_THAN 0d`,
		`hireDate AFTER 12/3/2026 9:00:00 AM`,
		`MEMBER_OF Sales EMEA`,
		`NOT MEMBER OF g-42`,
		`employeeId Greater_Than_OR_EQUALS 5`,
		`n Greater_Than "OR EQUALS"`,
		`department EQUALS " a\tb "`,
		`department !& Sales,HR`,
		`proxyAddresses NOT REGEX MATCH ^SMTP:`,
	} {
		f.Add(s)
	}
	obj := alice()
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClause(s)
		if err != nil {
			return
		}
		out := c.String()
		back, err := ParseClause(out)
		if err != nil {
			t.Fatalf("ParseClause(String(ParseClause(%q)) = %q): %v", s, out, err)
		}
		if back != c {
			t.Fatalf("ParseClause(String(ParseClause(%q)) = %q) = %+v, want %+v", s, out, back, c)
		}
		set, err := Filters{{Clauses: []Clause{c}}}.Compile()
		if err != nil {
			t.Fatalf("Compile(%+v): %v, want nil for a parsed clause", c, err)
		}
		set.Match(obj, now)
	})
}

// FuzzClauseString checks that every valid clause, however its value is
// spelled, reads back from its String.
func FuzzClauseString(f *testing.F) {
	f.Add("department", string(Equals), " Sales ")
	f.Add("n", string(GreaterThan), "OR EQUALS")
	f.Add("", string(MemberOf), "\"quoted\" group")
	f.Add("upn", string(RegexMatch), "a\nb")
	f.Fuzz(func(t *testing.T, attr, op, value string) {
		c := Clause{Attribute: attr, Operator: Operator(op), Value: value}
		if c.Validate() != nil {
			return
		}
		back, err := ParseClause(c.String())
		if err != nil || back != c {
			t.Fatalf("ParseClause(%q) = %+v, %v, want %+v", c.String(), back, err, c)
		}
	})
}
