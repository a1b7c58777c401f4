package filter

import (
	"reflect"
	"strings"
	"testing"
)

// The seed corpus lives in testdata/fuzz/FuzzParse and
// testdata/fuzz/FuzzParsePath. Run with
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=60s ./scim/filter

// FuzzParse checks that no input panics Parse, Compile or Match, that
// Format(Parse(x)) parses strictly to the same AST, and that a Matcher's
// canonical Expr compiles and matches like the original.
func FuzzParse(f *testing.F) {
	f.Add(`userName eq "bjensen"`, false)
	f.Add(`emails[type eq "work"].value eq "x"`, false)
	f.Add(`userName sw O`, true)
	// At and over the limits.
	f.Add(clauses(MaxClauses, `userName eq "x"`), false)
	f.Add(clauses(MaxClauses+1, `x[a pr]`), false)
	f.Add(strings.Repeat("not (", MaxDepth)+"a pr"+strings.Repeat(")", MaxDepth), false)
	f.Add(strings.Repeat("(", MaxDepth+1)+"a pr"+strings.Repeat(")", MaxDepth+1), false)
	f.Add(`password sw "$" or keys[secret pr]`, false)
	rt := resourceType(f, "User")
	res := bjensen()
	f.Fuzz(func(t *testing.T, s string, lenient bool) {
		e, err := Parse(s, Options{Lenient: lenient})
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", s, err, err)
			}
			return
		}
		out := Format(e)
		if len(out) > MaxLength {
			return // escapes and numbers may render longer than they were sent
		}
		back, err := Parse(out, Options{})
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q)) = %q): %v", s, out, err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("Parse(Format(Parse(%q)) = %q) = %q, want same AST", s, out, Format(back))
		}
		m, err := Compile(e, rt)
		if err != nil {
			return
		}
		got := m.Match(res)
		canon, err := Compile(m.Expr(), rt)
		if err != nil {
			t.Fatalf("Compile(Expr() = %q) of %q: %v", Format(m.Expr()), s, err)
		}
		if canon.Match(res) != got {
			t.Fatalf("Match(Expr() = %q) = %v, Match(%q) = %v", Format(m.Expr()), !got, s, got)
		}
	})
}

// FuzzParsePath checks that no input panics ParsePath and that
// ParsePath(p.String()) gives p back.
func FuzzParsePath(f *testing.F) {
	f.Add(`members[value eq "2819c223"]`, false)
	f.Add(`emails[type eq "work"].value`, false)
	f.Add("members["+clauses(MaxClauses+1, `value eq "x"`)+"]", false)
	f.Fuzz(func(t *testing.T, s string, lenient bool) {
		p, err := ParsePath(s, Options{Lenient: lenient})
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("ParsePath(%q) error %T %v, want *SyntaxError", s, err, err)
			}
			return
		}
		if len(p.String()) > MaxLength {
			return // escapes and numbers may render longer than they were sent
		}
		back, err := ParsePath(p.String(), Options{})
		if err != nil {
			t.Fatalf("ParsePath(%q) = %q, re-parse: %v", s, p.String(), err)
		}
		if !reflect.DeepEqual(back, p) {
			t.Fatalf("ParsePath(%q) = %#v, re-parse of %q = %#v", s, p, p.String(), back)
		}
	})
}
