package provisioning_test

import (
	"context"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// BenchmarkPlan100kScoping plans an initial cycle of 100,000 users (sync
// all, against a stub target: one empty listing, then 100,000 creates
// planned) with no scoping filter and with one filter of three clauses
// every user passes, so both plan the same creates and the difference is
// the filter's cost (compiled once, matched per user); and, issue 10's
// whole budget, with that filter and three expression mappings (a Join, a
// Switch and a NormalizeDiacritics) added to the default mapping.
func BenchmarkPlan100kScoping(b *testing.B) {
	three := []string{"department EQUALS Sales", `userPrincipalName REGEX MATCH @example\.com$`, "accountEnabled IS TRUE"}
	for _, bc := range []struct {
		name        string
		clauses     []string
		expressions bool
	}{
		{"none", nil, false},
		{"three-clauses", three, false},
		{"three-clauses+join+switch+normalizeDiacritics", three, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEnv(b, func(c *provisioning.Config) {
				c.Target, c.Scope = stubTarget(b), provisioning.ScopeAll
				if bc.clauses != nil {
					c.Users.Scoping = filters(b, bc.clauses)
				}
				if bc.expressions {
					c.Users.Attributes = append(c.Users.Attributes,
						provisioning.AttributeMapping{Target: "nickName", Source: expression(b, `Join(".", [givenName], [surname])`)},
						provisioning.AttributeMapping{Target: "userType", Source: expression(b, `Switch([department], "Staff", "Sales", "Seller", "Marketing", "Marketer", "Support", "Agent")`)},
						provisioning.AttributeMapping{Target: "name.formatted", Source: expression(b, `NormalizeDiacritics([displayName])`)})
				}
			})
			for i := 1; i <= 100_000; i++ {
				u := user(i)
				u.Department = "Sales"
				e.dir.PutUser(u)
			}
			for b.Loop() {
				p, err := e.engine.Plan(context.Background())
				if err != nil || len(p.Actions) != 100_000 {
					b.Fatalf("Plan() = %d actions, %v; want 100,000", len(p.Actions), err)
				}
			}
		})
	}
}
