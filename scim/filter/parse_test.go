package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

const enterpriseURI = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

func path(name string) scim.AttrPath { return scim.AttrPath{Name: name} }

func subPath(name, sub string) scim.AttrPath { return scim.AttrPath{Name: name, Sub: sub} }

func cmp(p scim.AttrPath, op Op, v any) *Compare { return &Compare{Path: p, Op: op, Value: v} }

func eq(name string, v any) *Compare { return cmp(path(name), Eq, v) }

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		lenient bool
		want    Expr
	}{
		// attribute paths
		{name: "simple", in: `userName eq "bjensen"`, want: eq("userName", "bjensen")},
		{name: "sub-attribute", in: `name.familyName co "O'Malley"`, want: cmp(subPath("name", "familyName"), Co, "O'Malley")},
		{name: "meta sub-attribute", in: `meta.lastModified gt "2011-05-13T04:42:34Z"`,
			want: cmp(subPath("meta", "lastModified"), Gt, "2011-05-13T04:42:34Z")},
		{name: "urn attribute", in: enterpriseURI + `:employeeNumber eq "701984"`,
			want: cmp(scim.AttrPath{URI: enterpriseURI, Name: "employeeNumber"}, Eq, "701984")},
		{name: "urn sub-attribute", in: enterpriseURI + `:manager.value eq "26118915"`,
			want: cmp(scim.AttrPath{URI: enterpriseURI, Name: "manager", Sub: "value"}, Eq, "26118915")},
		{name: "core urn", in: `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
			want: cmp(scim.AttrPath{URI: "urn:ietf:params:scim:schemas:core:2.0:User", Name: "userName"}, Sw, "J")},
		{name: "client spelling kept", in: `USERNAME Eq "x"`, want: eq("USERNAME", "x")},
		{name: "$ref", in: `members.$ref pr`, want: cmp(subPath("members", "$ref"), Pr, nil)},

		// operators, case-insensitive
		{name: "eq", in: `a eq "x"`, want: cmp(path("a"), Eq, "x")},
		{name: "ne", in: `a ne "x"`, want: cmp(path("a"), Ne, "x")},
		{name: "co", in: `a co "x"`, want: cmp(path("a"), Co, "x")},
		{name: "sw", in: `a sw "x"`, want: cmp(path("a"), Sw, "x")},
		{name: "ew", in: `a ew "x"`, want: cmp(path("a"), Ew, "x")},
		{name: "gt", in: `a gt 1`, want: cmp(path("a"), Gt, 1.0)},
		{name: "ge", in: `a ge 1`, want: cmp(path("a"), Ge, 1.0)},
		{name: "lt", in: `a lt 1`, want: cmp(path("a"), Lt, 1.0)},
		{name: "le", in: `a le 1`, want: cmp(path("a"), Le, 1.0)},
		{name: "pr", in: `title pr`, want: cmp(path("title"), Pr, nil)},
		{name: "upper-case operator", in: `a EQ "x"`, want: cmp(path("a"), Eq, "x")},
		{name: "mixed-case operator", in: `a Sw "x"`, want: cmp(path("a"), Sw, "x")},
		{name: "upper-case PR", in: `a PR`, want: cmp(path("a"), Pr, nil)},

		// values
		{name: "string escapes", in: `a eq "q\"b\\s\/n\nt\tu\u00e9"`, want: eq("a", "q\"b\\s/n\nt\tué")},
		{name: "surrogate pair", in: `a eq "\ud83d\ude00"`, want: eq("a", "😀")},
		{name: "lone surrogate", in: `a eq "\ud83dx"`, want: eq("a", "\ufffdx")},
		{name: "unicode raw", in: `a eq "Jérôme"`, want: eq("a", "Jérôme")},
		{name: "empty string", in: `a eq ""`, want: eq("a", "")},
		{name: "integer", in: `a eq 42`, want: eq("a", 42.0)},
		{name: "negative decimal", in: `a eq -1.5`, want: eq("a", -1.5)},
		{name: "exponent", in: `a eq 1e3`, want: eq("a", 1000.0)},
		{name: "true", in: `active eq true`, want: eq("active", true)},
		{name: "True", in: `active eq True`, want: eq("active", true)},
		{name: "FALSE", in: `active eq FALSE`, want: eq("active", false)},
		{name: "null", in: `a eq null`, want: eq("a", nil)},
		{name: "Null", in: `a ne Null`, want: cmp(path("a"), Ne, nil)},
		{name: "dateTime string", in: `meta.created gt "2015-10-10T14:38:21.8617979-07:00"`,
			want: cmp(subPath("meta", "created"), Gt, "2015-10-10T14:38:21.8617979-07:00")},

		// logic and precedence
		{name: "and", in: `a pr and b pr`, want: &And{cmp(path("a"), Pr, nil), cmp(path("b"), Pr, nil)}},
		{name: "or", in: `a pr or b pr`, want: &Or{cmp(path("a"), Pr, nil), cmp(path("b"), Pr, nil)}},
		{name: "AND OR upper-case", in: `a pr AND b pr OR c pr`,
			want: &Or{&And{cmp(path("a"), Pr, nil), cmp(path("b"), Pr, nil)}, cmp(path("c"), Pr, nil)}},
		{name: "and binds tighter than or (right)", in: `a pr or b pr and c pr`,
			want: &Or{cmp(path("a"), Pr, nil), &And{cmp(path("b"), Pr, nil), cmp(path("c"), Pr, nil)}}},
		{name: "and binds tighter than or (left)", in: `a pr and b pr or c pr`,
			want: &Or{&And{cmp(path("a"), Pr, nil), cmp(path("b"), Pr, nil)}, cmp(path("c"), Pr, nil)}},
		{name: "and is left-associative", in: `a pr and b pr and c pr`,
			want: &And{&And{cmp(path("a"), Pr, nil), cmp(path("b"), Pr, nil)}, cmp(path("c"), Pr, nil)}},
		{name: "or is left-associative", in: `a pr or b pr or c pr`,
			want: &Or{&Or{cmp(path("a"), Pr, nil), cmp(path("b"), Pr, nil)}, cmp(path("c"), Pr, nil)}},
		{name: "parentheses override precedence", in: `a pr and (b pr or c pr)`,
			want: &And{cmp(path("a"), Pr, nil), &Or{cmp(path("b"), Pr, nil), cmp(path("c"), Pr, nil)}}},
		{name: "redundant parentheses", in: `((a pr))`, want: cmp(path("a"), Pr, nil)},
		{name: "not", in: `not (a pr)`, want: &Not{cmp(path("a"), Pr, nil)}},
		{name: "NOT without space", in: `NOT(a pr)`, want: &Not{cmp(path("a"), Pr, nil)}},
		{name: "not binds tighter than and", in: `not (a pr) and b pr`,
			want: &And{&Not{cmp(path("a"), Pr, nil)}, cmp(path("b"), Pr, nil)}},
		{name: "extra whitespace", in: "  a   eq\t\"x\"\n and  b pr ", want: &And{eq("a", "x"), cmp(path("b"), Pr, nil)}},
		{name: "no space after quoted value", in: `a eq "x"and b eq"y"`, want: &And{eq("a", "x"), eq("b", "y")}},
		{name: "attribute named like a keyword", in: `and pr or or pr`,
			want: &Or{cmp(path("and"), Pr, nil), cmp(path("or"), Pr, nil)}},
		{name: "RFC example", in: `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
			want: &And{eq("userType", "Employee"), &Or{cmp(path("emails"), Co, "example.com"), cmp(subPath("emails", "value"), Co, "example.org")}}},

		// value paths
		{name: "value path", in: `emails[type eq "work"]`, want: &ValuePath{Path: path("emails"), Filter: eq("type", "work")}},
		{name: "value path with and", in: `emails[type eq "work" and value co "@example.com"]`,
			want: &ValuePath{Path: path("emails"), Filter: &And{eq("type", "work"), cmp(path("value"), Co, "@example.com")}}},
		{name: "members value path", in: `members[value eq "x"]`, want: &ValuePath{Path: path("members"), Filter: eq("value", "x")}},
		{name: "value path with not and parens", in: `addresses[not (type eq "home") and (primary eq true or region pr)]`,
			want: &ValuePath{Path: path("addresses"), Filter: &And{&Not{eq("type", "home")}, &Or{eq("primary", true), cmp(path("region"), Pr, nil)}}}},
		{name: "value path in logic", in: `userType eq "Employee" and emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
			want: &Or{
				&And{eq("userType", "Employee"), &ValuePath{Path: path("emails"), Filter: &And{eq("type", "work"), cmp(path("value"), Co, "@example.com")}}},
				&ValuePath{Path: path("ims"), Filter: &And{eq("type", "xmpp"), cmp(path("value"), Co, "@foo.com")}}}},
		{name: "urn value path", in: `urn:example:ext:Thing:tags[value eq "x"]`,
			want: &ValuePath{Path: scim.AttrPath{URI: "urn:example:ext:Thing", Name: "tags"}, Filter: eq("value", "x")}},
		{name: "entra filtered sub-attribute", in: `emails[type eq "work"].value eq "user@contoso.com"`,
			want: &Compare{Path: subPath("emails", "value"), Filter: eq("type", "work"), Op: Eq, Value: "user@contoso.com"}},
		{name: "filtered sub-attribute primary", in: `emails[primary eq true].value pr`,
			want: &Compare{Path: subPath("emails", "value"), Filter: eq("primary", true), Op: Pr}},

		// what Entra and Okta send
		{name: "entra userName", in: `userName eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"`,
			want: eq("userName", "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee")},
		{name: "entra externalId", in: `externalId eq "9edf3db5-f590-4f5e-bbd6-1b7e6c4b3b4d"`,
			want: eq("externalId", "9edf3db5-f590-4f5e-bbd6-1b7e6c4b3b4d")},
		{name: "entra displayName", in: `displayName eq "displayName"`, want: eq("displayName", "displayName")},
		{name: "entra manager check", in: `id eq "a" and manager eq "b"`, want: &And{eq("id", "a"), eq("manager", "b")}},
		{name: "entra inbound window", in: `active eq true and (meta.lastModified ge "2024-01-01T00:00:00Z" and meta.lastModified le "2024-01-02T00:00:00Z")`,
			want: &And{eq("active", true), &And{cmp(subPath("meta", "lastModified"), Ge, "2024-01-01T00:00:00Z"), cmp(subPath("meta", "lastModified"), Le, "2024-01-02T00:00:00Z")}}},
		{name: "postman displayName", in: `DisplayName eq "BobIsAmazing"`, want: eq("DisplayName", "BobIsAmazing")},

		// lenient mode
		{name: "lenient sw", in: `userName sw O`, lenient: true, want: cmp(path("userName"), Sw, "O")},
		{name: "lenient dateTime", in: `meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, lenient: true,
			want: cmp(subPath("meta", "Created"), Gt, "2015-10-10T14:38:21.8617979-07:00")},
		{name: "lenient group name", in: `displayName eq Group1`, lenient: true, want: eq("displayName", "Group1")},
		{name: "lenient externalId", in: `externalId eq jyoung`, lenient: true, want: eq("externalId", "jyoung")},
		{name: "lenient postman", lenient: true,
			in: `name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)`,
			want: &And{cmp(subPath("name", "FamilyName"), Eq, "Employee"),
				&Or{cmp(subPath("emails", "Value"), Co, "example.com"), cmp(subPath("emails", "Value"), Co, "example.org")}}},
		{name: "lenient in value path", in: `emails[type eq work]`, lenient: true, want: &ValuePath{Path: path("emails"), Filter: eq("type", "work")}},
		{name: "lenient still reads numbers", in: `a eq 12`, lenient: true, want: eq("a", 12.0)},
		{name: "lenient still reads booleans", in: `a eq True`, lenient: true, want: eq("a", true)},
		{name: "lenient still reads quoted strings", in: `a eq "x y"`, lenient: true, want: eq("a", "x y")},
		{name: "lenient non-JSON number is a string", in: `a eq 007`, lenient: true, want: eq("a", "007")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, Options{Lenient: tt.lenient})
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, Format(got), Format(tt.want))
			}
			if back, err := Parse(Format(got), Options{}); err != nil || !reflect.DeepEqual(back, got) {
				t.Errorf("Parse(Format(%q) = %q) = %v, %v; want round trip", tt.in, Format(got), back, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		lenient bool
		col     int
		msg     string
	}{
		{name: "empty", in: ``, col: 1, msg: `expected attribute path, "not" or "(", found end of input`},
		{name: "blank", in: `   `, col: 4, msg: `expected attribute path, "not" or "(", found end of input`},
		{name: "bad operator", in: `userName eqq "x"`, col: 10, msg: `expected comparison operator, found "eqq"`},
		{name: "missing operator", in: `userName`, col: 9, msg: `expected comparison operator, found end of input`},
		{name: "missing value", in: `userName eq`, col: 12, msg: `expected comparison value, found end of input`},
		{name: "unquoted value strict", in: `userName sw O`, col: 13,
			msg: `expected comparison value (quoted string, number, true, false or null), found "O"`},
		{name: "unquoted dateTime strict", in: `meta.created gt 2015-10-10T14:38:21Z`, col: 17,
			msg: `expected comparison value (quoted string, number, true, false or null), found "2015-10-10T14:38:21Z"`},
		{name: "unterminated string", in: `a eq "abc`, col: 6, msg: `unterminated string`},
		{name: "bad escape", in: `a eq "a\qb"`, col: 8, msg: `invalid escape "\\q" in string`},
		{name: "bad unicode escape", in: `a eq "\u12G4"`, col: 7, msg: `invalid \u escape in string`},
		{name: "number out of range", in: `a eq 1e999`, col: 6, msg: `number 1e999 out of range`},
		{name: "trailing garbage", in: `a pr b pr`, col: 6, msg: `expected "and", "or" or end of filter, found "b"`},
		{name: "dangling and", in: `a pr and`, col: 9, msg: `expected attribute path, "not" or "(", found end of input`},
		{name: "unbalanced open", in: `(a pr`, col: 6, msg: `expected ")", found end of input`},
		{name: "unbalanced close", in: `a pr)`, col: 5, msg: `expected "and", "or" or end of filter, found ")"`},
		{name: "not without parens", in: `not a pr`, col: 5, msg: `expected "(" after "not", found "a"`},
		{name: "bad attribute name", in: `1abc eq "x"`, col: 1, msg: `expected attribute path, found "1abc"`},
		{name: "too many dots", in: `a.b.c eq "x"`, col: 1, msg: `expected attribute path, found "a.b.c"`},
		{name: "urn without name", in: `urn:x: eq "x"`, col: 1, msg: `expected attribute path, found "urn:x:"`},
		{name: "unclosed value path", in: `emails[type eq "work"`, col: 22, msg: `expected "]", found end of input`},
		{name: "nested value path", in: `emails[type[value pr]]`, col: 12, msg: `value filters cannot be nested`},
		{name: "dotted path in value filter", in: `emails[emails.type eq "work"]`, col: 8, msg: `expected sub-attribute name, found "emails.type"`},
		{name: "value path on sub-attribute", in: `name.givenName[value pr]`, col: 1,
			msg: `value filter on sub-attribute "name.givenName"; put it on the attribute`},
		{name: "bad sub after value path", in: `emails[type eq "work"].1 eq "x"`, col: 24, msg: `expected sub-attribute name, found "1"`},
		{name: "entra invalid doc form", in: `emails[type eq "work"] eq "x"`, col: 24, msg: `expected "and", "or" or end of filter, found "eq"`},
		{name: "lenient missing value", in: `a eq )`, lenient: true, col: 6, msg: `expected comparison value, found ")"`},
		{name: "column counts characters", in: `a eq "é" b`, col: 10, msg: `expected "and", "or" or end of filter, found "b"`},
		{name: "too deep", in: strings.Repeat("(", 100) + "a pr" + strings.Repeat(")", 100), col: 65,
			msg: `filter nested more than 64 levels deep`},
		{name: "too deep in a value filter", in: strings.Repeat("(", 63) + "x[(a pr)]" + strings.Repeat(")", 63), col: 66,
			msg: `filter nested more than 64 levels deep`},
		{name: "too many clauses", in: clauses(1001, "a pr"), col: 8001,
			msg: `filter has more than the limit of 1000 clauses`},
		{name: "too many clauses in a value filter", in: "x[" + clauses(1001, "a pr") + "]", col: 8003,
			msg: `filter has more than the limit of 1000 clauses`},
		{name: "too many clauses in value paths", in: clauses(1001, `x[a pr]`), col: 11003,
			msg: `filter has more than the limit of 1000 clauses`},
		{name: "too long", in: `a eq "` + strings.Repeat("x", MaxLength) + `"`, col: MaxLength + 1,
			msg: `filter is 65543 bytes long, over the limit of 65536 bytes`},
		{name: "too long, counted in bytes", in: `a eq "` + strings.Repeat("é", MaxLength/2) + `"`, col: MaxLength/2 + 4,
			msg: `filter is 65543 bytes long, over the limit of 65536 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, Options{Lenient: tt.lenient})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want *SyntaxError", tt.in, got, err)
			}
			if se.Pos != tt.col || se.Msg != tt.msg {
				t.Errorf("Parse(%q) error = column %d %q, want column %d %q", tt.in, se.Pos, se.Msg, tt.col, tt.msg)
			}
		})
	}
}

// clauses joins n copies of clause with "or".
func clauses(n int, clause string) string {
	return strings.Repeat(clause+" or ", n-1) + clause
}

// TestParseAtLimits: input at each limit parses.
func TestParseAtLimits(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "MaxClauses", in: clauses(MaxClauses, "a pr")},
		{name: "MaxClauses with a value filter", in: clauses(MaxClauses-2, "a pr") + ` or x[a pr and b pr]`},
		{name: "MaxLength", in: `a eq "` + strings.Repeat("x", MaxLength-7) + `"`},
		{name: "MaxDepth", in: strings.Repeat("(", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.in, Options{}); err != nil {
				t.Errorf("Parse(%.40q... of %d bytes) = %v, want no error", tt.in, len(tt.in), err)
			}
		})
	}
	if _, err := ParsePath("x["+clauses(MaxClauses, "a pr")+"].y", Options{}); err != nil {
		t.Errorf("ParsePath(x[%d clauses].y) = %v, want no error", MaxClauses, err)
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse(`userName eqq "x"`, Options{})
	want := `at column 10: expected comparison operator, found "eqq"`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Path
	}{
		{name: "attribute", in: `members`, want: Path{Attr: path("members")}},
		{name: "sub-attribute", in: `name.givenName`, want: Path{Attr: subPath("name", "givenName")}},
		{name: "extension attribute", in: enterpriseURI + `:manager`,
			want: Path{Attr: scim.AttrPath{URI: enterpriseURI, Name: "manager"}}},
		{name: "extension sub-attribute", in: enterpriseURI + `:manager.value`,
			want: Path{Attr: scim.AttrPath{URI: enterpriseURI, Name: "manager", Sub: "value"}}},
		{name: "value path", in: `members[value eq "2819c223"]`,
			want: Path{Attr: path("members"), Filter: eq("value", "2819c223")}},
		{name: "value path with sub-attribute", in: `emails[type eq "work"].value`,
			want: Path{Attr: path("emails"), Filter: eq("type", "work"), Sub: "value"}},
		{name: "addresses postalCode", in: `addresses[type eq "work"].postalCode`,
			want: Path{Attr: path("addresses"), Filter: eq("type", "work"), Sub: "postalCode"}},
		{name: "complex value filter", in: `emails[type eq "work" and primary eq True]`,
			want: Path{Attr: path("emails"), Filter: &And{eq("type", "work"), eq("primary", true)}}},
		{name: "surrounding whitespace", in: ` userName `, want: Path{Attr: path("userName")}},
		{name: "client spelling kept", in: `Name.GivenName`, want: Path{Attr: subPath("Name", "GivenName")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in, Options{})
			if err != nil {
				t.Fatalf("ParsePath(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParsePath(%q) = %s %#v, want %s", tt.in, got, got, tt.want)
			}
			if back, err := ParsePath(got.String(), Options{}); err != nil || !reflect.DeepEqual(back, got) {
				t.Errorf("ParsePath(%q) = %v, %v; want round trip", got.String(), back, err)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		col  int
		msg  string
	}{
		{name: "empty", in: ``, col: 1, msg: `expected attribute path, found end of input`},
		{name: "trailing text", in: `members x`, col: 9, msg: `expected end of path, found "x"`},
		{name: "filter expression", in: `userName eq "x"`, col: 10, msg: `expected end of path, found "eq"`},
		{name: "unclosed filter", in: `members[value eq "x"`, col: 21, msg: `expected "]", found end of input`},
		{name: "sub-attribute then filter", in: `name.givenName[value pr]`, col: 1,
			msg: `value filter on sub-attribute "name.givenName"; put it on the attribute`},
		{name: "dot without sub-attribute", in: `emails[type eq "work"].`, col: 24, msg: `expected sub-attribute name, found end of input`},
		{name: "unquoted value strict", in: `members[value eq abc]`, col: 18,
			msg: `expected comparison value (quoted string, number, true, false or null), found "abc"`},
		{name: "too long", in: strings.Repeat("x", MaxLength+1), col: MaxLength + 1,
			msg: `path is 65537 bytes long, over the limit of 65536 bytes`},
		{name: "too many clauses", in: "members[" + clauses(1001, "value pr") + "]", col: 12009,
			msg: `filter has more than the limit of 1000 clauses`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in, Options{})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParsePath(%q) = %v, %v; want *SyntaxError", tt.in, got, err)
			}
			if se.Pos != tt.col || se.Msg != tt.msg {
				t.Errorf("ParsePath(%q) error = column %d %q, want column %d %q", tt.in, se.Pos, se.Msg, tt.col, tt.msg)
			}
		})
	}
}

func TestParsePathLenient(t *testing.T) {
	got, err := ParsePath(`members[value eq abc]`, Options{Lenient: true})
	want := Path{Attr: path("members"), Filter: eq("value", "abc")}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParsePath lenient = %v, %v; want %v", got, err, want)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		in   Expr
		want string
	}{
		{name: "nil", in: nil, want: ``},
		{name: "compare", in: eq("userName", "bjensen"), want: `userName eq "bjensen"`},
		{name: "pr ignores value", in: cmp(path("a"), Pr, "x"), want: `a pr`},
		{name: "escapes", in: eq("a", "q\"\\\n\x01é"), want: `a eq "q\"\\\n\u0001é"`},
		{name: "integer", in: eq("a", 1e6), want: `a eq 1000000`},
		{name: "fraction", in: eq("a", 0.25), want: `a eq 0.25`},
		{name: "huge", in: eq("a", 1e300), want: `a eq 1e+300`},
		{name: "bool and null", in: &And{eq("a", true), eq("b", nil)}, want: `a eq true and b eq null`},
		{name: "int value (not from Parse)", in: eq("a", 7), want: `a eq 7`},
		{name: "or under and", in: &And{&Or{eq("a", 1.0), eq("b", 2.0)}, eq("c", 3.0)}, want: `(a eq 1 or b eq 2) and c eq 3`},
		{name: "and under or", in: &Or{&And{eq("a", 1.0), eq("b", 2.0)}, eq("c", 3.0)}, want: `a eq 1 and b eq 2 or c eq 3`},
		{name: "right-nested and", in: &And{eq("a", 1.0), &And{eq("b", 2.0), eq("c", 3.0)}}, want: `a eq 1 and (b eq 2 and c eq 3)`},
		{name: "right-nested or", in: &Or{eq("a", 1.0), &Or{eq("b", 2.0), eq("c", 3.0)}}, want: `a eq 1 or (b eq 2 or c eq 3)`},
		{name: "not", in: &Not{&Or{eq("a", 1.0), eq("b", 2.0)}}, want: `not (a eq 1 or b eq 2)`},
		{name: "value path", in: &ValuePath{Path: scim.AttrPath{URI: "urn:x:Y", Name: "emails"}, Filter: eq("type", "work")},
			want: `urn:x:Y:emails[type eq "work"]`},
		{name: "filtered compare", in: &Compare{Path: subPath("emails", "value"), Filter: eq("type", "work"), Op: Eq, Value: "x"},
			want: `emails[type eq "work"].value eq "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(tt.in); got != tt.want {
				t.Errorf("Format() = %s, want %s", got, tt.want)
			}
		})
	}
}
