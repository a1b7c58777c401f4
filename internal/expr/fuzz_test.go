package expr

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics, fails only with a
// *SyntaxError inside the source, round-trips through String, and that a
// parsed expression evaluates without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`Join(",", [a], "b")`,
		`Replace([x], , "\\+(?<c>\\d* )(?<p>\\d{10})", , "${p}", , )`,
		`IIF([country]="USA",IIF([state]="CA","True","False"),"False")`,
		`Switch([a], , "1", IIF(DateDiff("d", Now(), CDate([h])) > 5, "False", "True"), "0", "False")`,
		`FormatDateTime([d], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`,
		`BitAnd(&HF, -7)`, `InStr("a","b",1,vbTextCompare)`, `Append("\"", "\\")`,
		`SelectUniqueValue(Item([p], 1), Left([a], 3))`, `[`, `"`, `F(`, `Join(,`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(src) && len(src) <= MaxLength {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError within the source", src, err)
			}
			return
		}
		again, err := Parse(e.String())
		if err != nil || again.String() != src || !reflect.DeepEqual(again.Attributes(), e.Attributes()) {
			t.Fatalf("Parse(Parse(%q).String()) = %v, %v", src, again, err)
		}
		env := attrs{"a": "x", "p": []string{"1", "2"}, "b": true}.env()
		_, _, _ = e.Eval(env)
	})
}
