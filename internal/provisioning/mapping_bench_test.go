package provisioning

import (
	"fmt"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
)

// BenchmarkMapping100k maps 100,000 users (one op = all of them) through
// the default user mapping, alone and with three expression mappings
// added: a Join, a Switch and a NormalizeDiacritics (issue 10: the
// expressions must add under 1 s; docs/benchmarks.md).
func BenchmarkMapping100k(b *testing.B) {
	const n = 100_000
	depts := []string{"Sales", "Marketing", "Support", "R&D", ""}
	users := make([]*directory.User, n)
	for i := range users {
		users[i] = &directory.User{ObjectID: fmt.Sprintf("u%d", i), UserPrincipalName: fmt.Sprintf("user%d@example.com", i),
			Mail: fmt.Sprintf("user%d@example.com", i), MailNickname: fmt.Sprintf("user%d", i), DisplayName: fmt.Sprintf("Zoë Ærø %d", i),
			GivenName: "Zoë", Surname: fmt.Sprintf("Ærø%d", i), Department: depts[i%len(depts)], JobTitle: "Engineer",
			Mobile: "+45 1234 5678", StreetAddress: "Main St 1", PostalCode: "8000", AccountEnabled: true}
	}
	withExpressions := DefaultUserMapping()
	withExpressions.Attributes = append(withExpressions.Attributes,
		AttributeMapping{Target: "nickName", Source: mustExpression(`Join(".", [givenName], [surname])`)},
		AttributeMapping{Target: "userType", Source: mustExpression(`Switch([department], "Staff", "Sales", "Seller", "Marketing", "Marketer", "Support", "Agent")`)},
		AttributeMapping{Target: "name.formatted", Source: mustExpression(`NormalizeDiacritics([displayName])`)},
	)
	for _, bm := range []struct {
		name string
		m    ObjectMapping
	}{{"default", DefaultUserMapping()}, {"default+join+switch+normalizeDiacritics", withExpressions}} {
		b.Run(bm.name, func(b *testing.B) {
			c, err := compileMapping(bm.m)
			if err != nil {
				b.Fatal(err)
			}
			s := &scope{}
			resolve := func(string) (string, bool) { return "", false }
			b.ReportAllocs()
			for b.Loop() {
				for _, u := range users {
					o, _ := s.userObject(u)
					if _, err := c.evaluate(o, resolve); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
