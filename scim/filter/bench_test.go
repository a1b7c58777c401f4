package filter

import "testing"

var benchFilters = []struct {
	name   string
	filter string
}{
	{name: "userName eq", filter: `userName eq "bjensen@example.com"`},
	{name: "entra manager check", filter: `id eq "2819c223-7f76-453a-919d-413861904646" and manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`},
	{name: "RFC complex", filter: `userType eq "Employee" and emails[type eq "work" and value co "@example.com"] or meta.lastModified gt "2011-05-13T04:42:34Z"`},
}

func BenchmarkParse(b *testing.B) {
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bf.filter, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMatch parses, compiles and evaluates a filter against a
// realistic user, as the server does for one list request over one
// candidate.
func BenchmarkMatch(b *testing.B) {
	rt := resourceType(b, "User")
	res := bjensen()
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := Parse(bf.filter, Options{})
				if err != nil {
					b.Fatal(err)
				}
				m, err := Compile(e, rt)
				if err != nil {
					b.Fatal(err)
				}
				if !m.Match(res) {
					b.Fatal("no match")
				}
			}
		})
	}
}

// BenchmarkMatchCompiled evaluates an already compiled filter: the cost per
// resource when a list request scans many candidates.
func BenchmarkMatchCompiled(b *testing.B) {
	rt := resourceType(b, "User")
	res := bjensen()
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			m := mustCompile(b, bf.filter, rt)
			b.ReportAllocs()
			for b.Loop() {
				if !m.Match(res) {
					b.Fatal("no match")
				}
			}
		})
	}
}
