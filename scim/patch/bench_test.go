package patch

import (
	"testing"
)

// BenchmarkApplyEntra measures Entra's disable-and-rename PATCH
// (`Replace active "False"` + `Replace name.familyName`) on a realistic
// user with the enterprise extension, including the final validation.
func BenchmarkApplyEntra(b *testing.B) {
	doc := decodeResource(b, baseUser)
	rt := resourceType(b, "User")
	ops := decodeOps(b, `[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(doc, rt, ops, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyEntraValuePath adds a value-path write
// (`emails[type eq "work"].value`), which compiles a filter.
func BenchmarkApplyEntraValuePath(b *testing.B) {
	doc := decodeResource(b, baseUser)
	rt := resourceType(b, "User")
	ops := decodeOps(b, `[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updated@example.com"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(doc, rt, ops, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractMembers folds an Entra multi-member add of 100 members.
func BenchmarkExtractMembers(b *testing.B) {
	value := "["
	for i := range 100 {
		if i > 0 {
			value += ","
		}
		value += `{"$ref":null,"value":"member-` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `"}`
	}
	ops := decodeOps(b, `[{"op":"Add","path":"members","value":`+value+`]}]`)
	rt := resourceType(b, "Group")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ExtractMembers(rt, ops, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
