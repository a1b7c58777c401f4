package scoping

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseClause(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Clause
	}{
		{"equals", `department EQUALS Sales`, Clause{"department", Equals, "Sales"}},
		{"regex with escapes", `userPrincipalName REGEX MATCH .*@contoso\.com`, Clause{"userPrincipalName", RegexMatch, `.*@contoso\.com`}},
		{"entra's regex example", `userPrincipalName REGEX MATCH .*\@domain.com`, Clause{"userPrincipalName", RegexMatch, `.*\@domain.com`}},
		{"unary", `accountEnabled IS TRUE`, Clause{"accountEnabled", IsTrue, ""}},
		{"underscores", `jobTitle IS_NOT_NULL`, Clause{"jobTitle", IsNotNull, ""}},
		{"mixed case and separators", `jobTitle is_Not null`, Clause{"jobTitle", IsNotNull, ""}},
		{"spaces for underscores", `employeeId greater than or equals 1000000`, Clause{"employeeId", GreaterThanOrEquals, "1000000"}},
		{"longest operator wins", `employeeId Greater_Than_OR_EQUALS 5`, Clause{"employeeId", GreaterThanOrEquals, "5"}},
		{"shorter operator, value after", `employeeId Greater_Than 5`, Clause{"employeeId", GreaterThan, "5"}},
		{"duration", `extension_hireDate OLDER_THAN 0d`, Clause{"extension_hireDate", OlderThan, "0d"}},
		{"member of", `MEMBER_OF Sales`, Clause{"", MemberOf, "Sales"}},
		{"not member of, spaces", `not member of Sales EMEA`, Clause{"", NotMemberOf, "Sales EMEA"}},
		{"value keeps inner spaces", `  department   EQUALS   Sales and Marketing  `, Clause{"department", Equals, "Sales and Marketing"}},
		{"quoted value keeps outer spaces", `department EQUALS " Sales "`, Clause{"department", Equals, " Sales "}},
		{"quoted value with escapes", `department EQUALS "a\"b\tc"`, Clause{"department", Equals, "a\"b\tc"}},
		{"ampersand", `department & Sales,Marketing`, Clause{"department", And, "Sales,Marketing"}},
		{"not ampersand", `department !& Sales`, Clause{"department", NotAnd, "Sales"}},
		{"attribute named NOT", `NOT EQUALS x`, Clause{"NOT", Equals, "x"}},
		{"value that looks like an operator", `department EQUALS IS NULL`, Clause{"department", Equals, "IS NULL"}},
		{"underscore value", `department EQUALS _`, Clause{"department", Equals, "_"}},
		{"date", `hireDate AFTER 2026-01-01`, Clause{"hireDate", After, "2026-01-01"}},
		{"scim urn attribute", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber IS NULL`,
			Clause{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", IsNull, ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseClause(tc.in)
			if err != nil {
				t.Fatalf("ParseClause(%q) error %v, want %+v", tc.in, err, tc.want)
			}
			if got != tc.want {
				t.Errorf("ParseClause(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseClauseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // substrings of the error
	}{
		{"empty", `  `, []string{"empty", "ATTRIBUTE OPERATOR [VALUE]"}},
		{"no operator", `department`, []string{`no operator after "department"`, "valid operators: &, !&, ENDS_WITH, EQUALS"}},
		{"unknown operator", `department EQUAL Sales`, []string{`unknown operator "EQUAL"`, "valid operators:", "REGEX MATCH", "MEMBER_OF"}},
		{"missing value", `department EQUALS`, []string{"EQUALS needs a value"}},
		{"empty quoted value", `department EQUALS ""`, []string{"EQUALS needs a value"}},
		{"value for a unary operator", `department IS NULL x`, []string{`IS NULL takes no value, not "x"`}},
		{"missing attribute", `EQUALS Sales`, []string{`unknown operator "Sales" (or no attribute before EQUALS)`}},
		{"attribute for MEMBER_OF", `department MEMBER_OF Sales`, []string{`MEMBER_OF takes no attribute, not "department"`}},
		{"bad regex", `upn REGEX MATCH (?<=x)y`, []string{"REGEX MATCH value", "RE2", "lookaround"}},
		{"not an integer", `employeeId Greater_Than 1e6`, []string{`Greater_Than value: "1e6" is not an integer`}},
		{"not a duration", `hireDate OLDER_THAN 30 days`, []string{`OLDER_THAN value: "30 days" is not a duration`}},
		{"duration out of range", `hireDate OLDER_THAN 9999999999d`, []string{"out of range"}},
		{"not a date", `hireDate BEFORE tomorrow`, []string{`BEFORE value: "tomorrow" is not a date`}},
		{"bad quoting", `department EQUALS "Sales`, []string{"not a well-quoted string"}},
		{"text after quotes", `department EQUALS "Sales" x`, []string{"not a well-quoted string"}},
		{"bad attribute", `dep(t) EQUALS x`, []string{`attribute "dep(t)"`}},
		{"attribute named as an operator", `Includes EQUALS x`, []string{`attribute "Includes": an operator's name`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseClause(tc.in)
			if err == nil {
				t.Fatalf("ParseClause(%q) = %+v, want error", tc.in, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseClause(%q) error %q, want it to contain %q", tc.in, err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "scoping clause ") {
				t.Errorf("ParseClause(%q) error %q, want it to start with the context", tc.in, err)
			}
		})
	}
}

func TestClauseString(t *testing.T) {
	tests := []struct {
		name string
		in   Clause
		want string
	}{
		{"plain", Clause{"department", Equals, "Sales"}, `department EQUALS Sales`},
		{"unary", Clause{"jobTitle", IsNotNull, ""}, `jobTitle IS NOT NULL`},
		{"no attribute", Clause{"", MemberOf, "Sales EMEA"}, `MEMBER_OF Sales EMEA`},
		{"outer spaces quoted", Clause{"department", Equals, " Sales"}, `department EQUALS " Sales"`},
		{"leading quote quoted", Clause{"department", Equals, `"x`}, `department EQUALS "\"x"`},
		{"control character quoted", Clause{"department", Equals, "a\nb"}, `department EQUALS "a\nb"`},
		{"invalid UTF-8 quoted", Clause{"department", Equals, "a\xffb"}, `department EQUALS "a\xffb"`},
		{"value extending the operator quoted", Clause{"n", GreaterThan, "OR EQUALS"}, `n Greater_Than "OR EQUALS"`},
		{"value not extending the operator bare", Clause{"n", GreaterThanOrEquals, "OR EQUALS"}, `n Greater_Than_OR_EQUALS OR EQUALS`},
		{"regex bare", Clause{"upn", RegexMatch, `^a\.b$`}, `upn REGEX MATCH ^a\.b$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.String(); got != tc.want {
				t.Errorf("%+v.String() = %s, want %s", tc.in, got, tc.want)
			}
			back, err := parseClause(tc.in.String())
			if err != nil || back != tc.in {
				t.Errorf("parseClause(%s) = %+v, %v, want %+v", tc.in.String(), back, err, tc.in)
			}
		})
	}
}

func TestClauseValidate(t *testing.T) {
	tests := []struct {
		name string
		in   Clause
		want string // "" for valid
	}{
		{"valid", Clause{"department", Equals, "Sales"}, ""},
		{"non-canonical operator", Clause{"jobTitle", "IS_NOT_NULL", ""}, `unknown operator "IS_NOT_NULL"; valid operators: &, !&`},
		{"unknown operator", Clause{"jobTitle", "LIKE", "x"}, `unknown operator "LIKE"`},
		{"missing attribute", Clause{"", Equals, "x"}, "EQUALS needs an attribute"},
		{"negative integer", Clause{"n", GreaterThan, "-3"}, ""},
		{"weeks", Clause{"d", NewerThan, "2w"}, ""},
		{"go duration", Clause{"d", NewerThan, "1h30m"}, ""},
		{"negative days", Clause{"d", OlderThan, "-7d"}, ""},
		{"entra date", Clause{"d", Before, "12/3/2026 9:00:00 AM"}, ""},
		{"rfc 3339 date", Clause{"d", After, "2026-12-03T09:00:00+01:00"}, ""},
		{"member of without group", Clause{"", MemberOf, ""}, "MEMBER_OF needs a value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("%+v.Validate() = %v, want nil", tc.in, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("%+v.Validate() = %v, want %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestClauseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Clause
	}{
		{"canonical", `{"attribute":"jobTitle","operator":"IS NOT NULL"}`, Clause{"jobTitle", IsNotNull, ""}},
		{"other spelling", `{"attribute":"jobTitle","operator":"is_not_null"}`, Clause{"jobTitle", IsNotNull, ""}},
		{"unknown kept", `{"attribute":"jobTitle","operator":"LIKE","value":"x"}`, Clause{"jobTitle", "LIKE", "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got Clause
			if err := json.Unmarshal([]byte(tc.in), &got); err != nil || got != tc.want {
				t.Errorf("json.Unmarshal(%s) = %+v, %v, want %+v", tc.in, got, err, tc.want)
			}
		})
	}
	out, err := json.Marshal(Clause{"department", Equals, "Sales"})
	if want := `{"attribute":"department","operator":"EQUALS","value":"Sales"}`; err != nil || string(out) != want {
		t.Errorf("json.Marshal = %s, %v, want %s", out, err, want)
	}
}
