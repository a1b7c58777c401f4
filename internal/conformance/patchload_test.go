package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/testdb"
)

// BenchmarkPostDuringLargePatch measures what one tenant's large PATCHes
// cost another tenant on the same server (SQLite and PostgreSQL): the
// latency of tenant B's POST /Users while nothing else runs ("idle") and
// while two clients of tenant A keep sending PATCHes at the limits to the
// same user ("patching"): 1,000 value-path replaces on a user with 1,000
// e-mails, which race each other, so that every other write loses its
// compare-and-swap and is retried. Each iteration is one POST of tenant B;
// p50-ms, p99-ms and max-ms are its latencies, patch-ms the median PATCH.
//
//	go test -run '^$' -bench PostDuringLargePatch -benchtime 200x ./internal/conformance
func BenchmarkPostDuringLargePatch(b *testing.B) {
	for _, db := range testdb.All(b) {
		b.Run(db.Name, func(b *testing.B) {
			svc := startService(b, db.DSN(b))
			a, other := svc.createTenant(b, "patcher", "default"), svc.createTenant(b, "poster", "default")
			emails := make([]string, 1000)
			ops := make([]string, 1000)
			for i := range emails {
				emails[i] = fmt.Sprintf(`{"value":"u%d@example.com","type":"work"}`, i)
				ops[i] = fmt.Sprintf(`{"op":"replace","path":"emails[value eq \"u%d@example.com\"].display","value":"%%s"}`, i)
			}
			r := a.do(b, http.MethodPost, "/Users", `{"userName":"big","emails":[`+strings.Join(emails, ",")+`]}`)
			if r.Status != http.StatusCreated {
				b.Fatalf("POST big user = %d %s", r.Status, r.Body)
			}
			var big struct{ ID string }
			if err := json.Unmarshal(r.Body, &big); err != nil {
				b.Fatal(err)
			}
			id := big.ID
			patch := strings.Join(ops, ",")
			for _, load := range []string{"idle", "patching"} {
				b.Run(load, func(b *testing.B) {
					stop := make(chan struct{})
					var wg sync.WaitGroup
					var mu sync.Mutex
					var patches []time.Duration
					if load == "patching" {
						for c := range 2 {
							wg.Go(func() {
								for n := 0; ; n++ {
									select {
									case <-stop:
										return
									default:
									}
									body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
										strings.ReplaceAll(patch, "%s", fmt.Sprintf("c%dn%d", c, n)) + `]}`
									start := time.Now()
									r := a.do(b, http.MethodPatch, "/Users/"+id, body)
									if r.Status >= 300 && r.Status != http.StatusConflict {
										b.Errorf("PATCH = %d %s", r.Status, r.Body)
										return
									}
									mu.Lock()
									patches = append(patches, time.Since(start))
									mu.Unlock()
								}
							})
						}
						// Let the patchers get going before measuring.
						for {
							mu.Lock()
							n := len(patches)
							mu.Unlock()
							if n >= 2 {
								break
							}
							time.Sleep(10 * time.Millisecond)
						}
					}
					var posts []time.Duration
					i := 0
					for b.Loop() {
						i++
						start := time.Now()
						r := other.do(b, http.MethodPost, "/Users", fmt.Sprintf(`{"userName":"%s-%d-%d"}`, load, b.N, i))
						posts = append(posts, time.Since(start))
						if r.Status != http.StatusCreated {
							b.Fatalf("POST = %d %s", r.Status, r.Body)
						}
					}
					close(stop)
					wg.Wait()
					slices.Sort(posts)
					ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
					b.ReportMetric(ms(posts[len(posts)/2]), "p50-ms")
					b.ReportMetric(ms(posts[len(posts)*99/100]), "p99-ms")
					b.ReportMetric(ms(posts[len(posts)-1]), "max-ms")
					if len(patches) > 0 {
						slices.Sort(patches)
						b.ReportMetric(ms(patches[len(patches)/2]), "patch-ms")
					}
				})
			}
		})
	}
}
