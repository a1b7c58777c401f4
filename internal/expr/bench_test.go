package expr

import (
	"testing"
)

// The expressions of BenchmarkEval: a Join, a Switch and a
// NormalizeDiacritics, as attribute mappings commonly are.
var benchExprs = []struct{ name, src string }{
	{"Join", `Join("@", ToLower(Join(".", [givenName], [surname])), "contoso.com")`},
	{"Switch", `Switch([department], "Other", "Sales", "S", "Engineering", "E", "Marketing", "M", "Finance", "F")`},
	{"NormalizeDiacritics", `NormalizeDiacritics(Join(" ", [givenName], [surname]))`},
}

func benchEnv() *Env {
	a := map[string]any{"givenName": "Zoë", "surname": "Ødegård", "department": "Finance"}
	return &Env{Attr: func(name string) (any, bool) { v, ok := a[name]; return v, ok }}
}

func BenchmarkEval(b *testing.B) {
	env := benchEnv()
	for _, be := range benchExprs {
		e, err := Parse(be.src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(be.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.Eval(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, be := range benchExprs {
		b.Run(be.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(be.src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
