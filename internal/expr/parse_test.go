package expr

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		pos       int
		msg, hint string // substrings; hint "": none
	}{
		{"unknown function with hint", `Join(",", Jion("", [a]))`, 10, `unknown function "Jion"`, `did you mean "Join"?`},
		{"unknown function far off", `Frobnicate([a])`, 0, `unknown function "Frobnicate"`, ""},
		{"unterminated string", `Append([a], "x)`, 12, "unterminated string", `\"`},
		{"missing paren", `Append([a], "x"`, 15, "missing )", "close Append( at 6"},
		{"missing paren nested", `Join(",", ToLower([a])`, 22, "missing )", "close Join( at 4"},
		{"stray token", `ToLower([a]) [b]`, 13, `unexpected "[" after the end`, "Join"},
		{"stray paren", `ToLower([a]))`, 12, `unexpected ")" after the end`, "too many"},
		{"unbalanced bracket", `Join(",", [a, [b])`, 10, "unbalanced [", `before ','`},
		{"unclosed bracket", `ToLower([mail`, 8, "unbalanced [: no ] closes it", ""},
		{"empty attribute", `ToLower([ ])`, 8, "empty attribute name", ""},
		{"arity exact", `Left([x], 3, 4)`, 0, "Left takes 2 arguments, got 3", ""},
		{"arity one", `Not([a], [b])`, 0, "Not takes 1 argument, got 2", ""},
		{"arity none", `Guid(1)`, 0, "Guid takes no arguments, got 1", ""},
		{"arity range", `Replace([a], "b")`, 0, "Replace takes 3 to 7 arguments, got 2", ""},
		{"arity at least", `SelectUniqueValue([a])`, 0, "SelectUniqueValue takes at least 2 arguments, got 1", ""},
		{"switch odd", `Switch([a], "d", "k", "v", "k2")`, 0, "Switch takes an even number of arguments, got 5", "key1, value1"},
		{"empty", `   `, 3, "empty expression", ""},
		{"bare name", `ToLower(mail)`, 8, `unknown name "mail"`, "[mail]"},
		{"function without call", `Join(",", Guid)`, 10, `unknown name "Guid"`, "Guid(...)"},
		{"comma junk", `ToLower([a] [b])`, 12, `unexpected "[" in the arguments of ToLower`, "comma"},
		{"decimal", `Len(42568.75)`, 9, `unexpected ".75"`, "integers"},
		{"bad regex", `Replace([a], , "(", , "", , )`, 15, "regexPattern", ""},
		{"missing group", `Replace([a], , "(?<x>a)", "y", "", , )`, 26, `no group "y"`, ""},
		{"replace no form", `Replace([a], , , , , , )`, 0, "no form matches", "oldValue"},
		{"bad interval", `DateAdd("days", 1, Now())`, 8, `unknown interval "days"`, "yyyy"},
		{"bad format", `FormatDateTime([d], , "yyyy'", "yyyy")`, 22, "unterminated quote", ""},
		{"lone operator", `IIF(= "a", "b", "c")`, 4, `unexpected "="`, ""},
		{"end after comparison", `IIF([a] =`, 9, "unexpected end of expression", ""},
		{"number out of range", `Left([a], 99999999999999999999)`, 10, "out of range", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%s) = %v, want a *SyntaxError", tc.src, err)
			}
			if se.Pos != tc.pos || !strings.Contains(se.Msg, tc.msg) || !strings.Contains(se.Hint, tc.hint) || tc.hint == "" && se.Hint != "" {
				t.Errorf("Parse(%s) = %q at %d (hint %q), want %q at %d (hint %q)", tc.src, se.Msg, se.Pos, se.Hint, tc.msg, tc.pos, tc.hint)
			}
		})
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := Parse(`Join(",", Jion("", [a]))`)
	want := `at 10: unknown function "Jion" (hint: did you mean "Join"?)`
	if err == nil || err.Error() != want {
		t.Errorf("Parse(Jion) error = %v, want %s", err, want)
	}
	_, err = Parse(`Left([x], 3, 4)`)
	want = `at 0: Left takes 2 arguments, got 3`
	if err == nil || err.Error() != want {
		t.Errorf("Parse(Left 3 args) error = %v, want %s", err, want)
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, src string
		attrs     []string
	}{
		{"attribute alone", `[mail]`, []string{"mail"}},
		{"attribute characters", `[extension_abc123_employee-Type.v2:x]`, []string{"extension_abc123_employee-Type.v2:x"}},
		{"string alone", `"x"`, nil},
		{"comparison alone", `[a] <> "b"`, []string{"a"}},
		{"case-insensitive names", `toLower(JOIN(",", [A], [b], [a], [B]))`, []string{"A", "b"}},
		{"white space everywhere", " \n\tJoin ( \",\" ,\n [ a ] , [b]\t)\r\n", []string{"a", "b"}},
		{"empty arguments", `Replace([x], , "re", , "", , )`, []string{"x"}},
		{"escapes", `Append("Company name: \"Contoso\" \\ ", "\d")`, nil},
		{"nested comparison argument", `Join(",", [a] >= 3, Len([b]) < -2)`, []string{"a", "b"}},
		{"no arguments", `Now()`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", tc.src, err)
			}
			if got := e.Attributes(); !reflect.DeepEqual(got, tc.attrs) {
				t.Errorf("Parse(%s).Attributes() = %q, want %q", tc.src, got, tc.attrs)
			}
			if e.String() != tc.src {
				t.Errorf("Parse(%s).String() = %q, want the source", tc.src, e.String())
			}
		})
	}
}

func TestStringLiteral(t *testing.T) {
	got, _, err := Eval(`Append("Company name: \"Contoso\" \\ ", "\d")`, nil)
	if want := `Company name: "Contoso" \ \d`; err != nil || got != want {
		t.Errorf("Eval(escapes) = %q, %v, want %q", got, err, want)
	}
}

func TestUsesFunctionAndRedacted(t *testing.T) {
	e, err := Parse(`Redact(IgnoreFlowIfNullOrEmpty(switch([a], , "1", "x")))`)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"Switch": true, "SWITCH": true, "Redact": true,
		"IgnoreFlowIfNullOrEmpty": true, "SelectUniqueValue": false, "NoSuch": false} {
		if got := e.UsesFunction(name); got != want {
			t.Errorf("UsesFunction(%q) = %v, want %v", name, got, want)
		}
	}
	if !e.Redacted() {
		t.Errorf("Redacted() of a top-level Redact = false, want true")
	}
	inner, _ := Parse(`Join(",", Redact([a]))`)
	if inner.Redacted() {
		t.Errorf("Redacted() of a nested Redact = true, want false")
	}
}

func TestFunctions(t *testing.T) {
	got := Functions()
	if len(got) != len(functions) || !slices.IsSorted(got) {
		t.Errorf("Functions() = %q, want all %d sorted", got, len(functions))
	}
	if len(functions) > 64 {
		t.Errorf("%d functions, want at most 64 (Expr.funcs is a uint64)", len(functions))
	}
	for _, name := range []string{"Append", "IIF", "SelectUniqueValue", "Word", "Len", "AssertiveAppRoleAssignmentsComplex"} {
		if !slices.Contains(got, name) {
			t.Errorf("Functions() lacks %s", name)
		}
	}
}

// TestLongExpressions parses and evaluates expressions far beyond Entra's
// 10,000 characters, and bounds nesting.
func TestLongExpressions(t *testing.T) {
	var b strings.Builder
	b.WriteString(`Switch([code], "none"`)
	for i := 0; b.Len() < 60000; i++ {
		b.WriteString(`, "`)
		b.WriteString(strings.Repeat("k", 10))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(`", "value number `)
		b.WriteString(strings.Repeat("v", i%7))
		b.WriteString(`"`)
	}
	b.WriteString(`, "last", "found")`)
	src := b.String()
	if len(src) < 60000 || len(src) > MaxLength {
		t.Fatalf("len = %d", len(src))
	}
	got, _, err := Eval(src, attrs{"code": "last"}.env())
	if err != nil || got != "found" {
		t.Errorf("Eval(Switch of %d bytes) = %v, %v, want found", len(src), got, err)
	}

	nested := func(depth int) string {
		return strings.Repeat(`Append(`, depth) + `[a]` + strings.Repeat(`, "x")`, depth)
	}
	got, _, err = Eval(nested(maxDepth), attrs{"a": "a"}.env())
	if want := "a" + strings.Repeat("x", maxDepth); err != nil || got != want {
		t.Errorf("Eval(Append nested %d deep) = %v, %v, want %d characters", maxDepth, got, err, len(want))
	}
	_, err = Parse(nested(256))
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "nested deeper") {
		t.Errorf("Parse(Append nested 256 deep) = %v, want a nesting error", err)
	}
	_, err = Parse(strings.Repeat("(", 100000))
	if !errors.As(err, &se) {
		t.Errorf("Parse(100000 parentheses) = %v, want a *SyntaxError", err)
	}
	_, err = Parse(strings.Repeat(" ", MaxLength+1))
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "longer than") {
		t.Errorf("Parse(MaxLength+1 bytes) = %v, want a length error", err)
	}
}
