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
// the filter's cost (compiled once, matched per user).
func BenchmarkPlan100kScoping(b *testing.B) {
	for _, bc := range []struct {
		name    string
		clauses []string
	}{
		{"none", nil},
		{"three-clauses", []string{"department EQUALS Sales", `userPrincipalName REGEX MATCH @example\.com$`, "accountEnabled IS TRUE"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEnv(b, func(c *provisioning.Config) {
				c.Target, c.Scope = stubTarget(b), provisioning.ScopeAll
				if bc.clauses != nil {
					c.Users.Scoping = filters(b, bc.clauses)
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
