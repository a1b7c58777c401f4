package sqlstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// Benchmarks run on SQLite always and on PostgreSQL when
// PROVISIO_TEST_POSTGRES is set, with 16 concurrent clients (issue 3's
// load shape). PROVISIO_BENCH_USERS sets how many users the lookup
// benchmark seeds (default 10000; lookups are index probes, so 100k
// behaves the same).
//
//	go test -run '^$' -bench . ./internal/store/sqlstore

const benchClients = 16

type benchEnv struct {
	s     *Store
	b     backend.Backend
	ctx   context.Context
	users *scim.ResourceType
}

func benchStores(b *testing.B, fn func(b *testing.B, e benchEnv)) {
	openers := map[string]func(b *testing.B) *Store{
		"sqlite": func(b *testing.B) *Store { return openSQLite(b, filepath.Join(b.TempDir(), "bench.db")) },
		"postgres": func(b *testing.B) *Store {
			return openPostgres(b, freshSchema(b, postgresURL(b)))
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s := openers[name](b)
			ten, err := s.CreateTenant(context.Background(), "bench", nil)
			if err != nil {
				b.Fatal(err)
			}
			users, _ := scim.NewStandardRegistry().ResourceType("User")
			fn(b, benchEnv{s: s, b: s.Backend(), ctx: store.WithTenant(context.Background(), ten.ID), users: users})
		})
	}
}

// entraUser is the shape Entra's POST /Users sends.
func entraUser(n int64) scim.Resource {
	return scim.Resource{
		"schemas":    []any{scim.UserSchema, scim.EnterpriseUserSchema},
		"externalId": fmt.Sprintf("ext-%d", n),
		"userName":   fmt.Sprintf("user%d@example.com", n),
		"active":     true,
		"emails":     []any{map[string]any{"primary": true, "type": "work", "value": fmt.Sprintf("user%d@example.com", n)}},
		"name":       map[string]any{"formatted": "Given Family", "familyName": "Family", "givenName": "Given"},
		"roles":      []any{},
	}
}

func BenchmarkCreate(b *testing.B) {
	benchStores(b, func(b *testing.B, e benchEnv) {
		var n atomic.Int64
		b.SetParallelism(max(1, benchClients/max(1, runtimeProcs())))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.b.Create(e.ctx, e.users, entraUser(n.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
	})
}

func seedUsers(b *testing.B, e benchEnv, n int) []string {
	b.Helper()
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchClients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				res, err := e.b.Create(e.ctx, e.users, entraUser(i))
				if err != nil {
					b.Error(err)
					return
				}
				ids[i] = res["id"].(string)
			}
		})
	}
	wg.Wait()
	return ids
}

func benchUsers() int {
	if n, err := strconv.Atoi(os.Getenv("PROVISIO_BENCH_USERS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

func BenchmarkFindByUserName(b *testing.B) {
	benchStores(b, func(b *testing.B, e benchEnv) {
		total := benchUsers()
		seedUsers(b, e, total)
		var n atomic.Int64
		b.SetParallelism(max(1, benchClients/max(1, runtimeProcs())))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1) % int64(total)
				f, err := filter.Parse(fmt.Sprintf(`userName eq "USER%d@example.com"`, i), filter.Options{})
				if err != nil {
					b.Error(err)
					return
				}
				page, err := e.b.List(e.ctx, e.users, backend.Query{Filter: f, StartIndex: 1, Count: 100})
				if err != nil || page.Total != 1 {
					b.Errorf("List = %d results, %v", page.Total, err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
}

// BenchmarkPatch is Entra's PATCH: Replace active and name.familyName,
// spread over 1000 users.
func BenchmarkPatch(b *testing.B) {
	benchStores(b, func(b *testing.B, e benchEnv) {
		ids := seedUsers(b, e, 1000)
		var n atomic.Int64
		b.SetParallelism(max(1, benchClients/max(1, runtimeProcs())))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				change := backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) {
					cur["active"] = i%2 == 0
					name, _ := cur["name"].(map[string]any)
					if name == nil {
						name = map[string]any{}
					}
					name["familyName"] = fmt.Sprintf("Family%d", i)
					cur["name"] = name
					return cur, nil
				}}
				if _, err := e.b.Update(e.ctx, e.users, ids[i%int64(len(ids))], "", change, backend.GetOptions{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "patches/s")
	})
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkListOr1000 is one list request with a filter of 1,000 OR'ed
// `userName eq` clauses (filter.MaxClauses), each naming an existing user,
// over PROVISIO_BENCH_USERS users: parse, compile and List, one request at
// a time (issue 8).
//
//	go test -run '^$' -bench ListOr1000 -benchtime 20x ./internal/store/sqlstore
func BenchmarkListOr1000(b *testing.B) {
	benchStores(b, func(b *testing.B, e benchEnv) {
		total := benchUsers()
		seedUsers(b, e, total)
		clauses := make([]string, 1000)
		for k := range clauses {
			clauses[k] = fmt.Sprintf(`userName eq "USER%d@example.com"`, k*total/len(clauses))
		}
		in := strings.Join(clauses, " or ")
		b.ResetTimer()
		for b.Loop() {
			start := time.Now()
			f, err := filter.Parse(in, filter.Options{})
			if err != nil {
				b.Fatal(err)
			}
			m, err := filter.Compile(f, e.users)
			if err != nil {
				b.Fatal(err)
			}
			page, err := e.b.List(e.ctx, e.users, backend.Query{Filter: m.Expr(), StartIndex: 1, Count: 100})
			if err != nil || page.Total != len(clauses) {
				b.Fatalf("List = %d results, %v after %v", page.Total, err, time.Since(start))
			}
		}
	})
}
