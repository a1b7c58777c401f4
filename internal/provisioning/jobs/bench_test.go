package jobs_test

import (
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// BenchmarkInitialCycle10k runs an initial cycle of 10,000 assigned users
// through the job service, with its links and logs in SQLite (and in
// PostgreSQL when PROVISIO_TEST_POSTGRES is set), into a SCIM service over
// HTTP. Issue 4's goal is at most 10 s:
//
//	go test ./internal/provisioning/jobs -run - -bench InitialCycle10k -benchtime 1x
func BenchmarkInitialCycle10k(b *testing.B) {
	for name, open := range backends() {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				dsn, path := open(b)
				e := newEnv(b, dsn, path)
				e.configure(jobs.Config{})
				e.addUsers(1, 10_000)
				b.StartTimer()
				if sum := e.run(); sum.Stats.Created != 10_000 {
					b.Fatalf("Run = %+v, want 10,000 created", sum.Stats)
				}
			}
		})
	}
}
