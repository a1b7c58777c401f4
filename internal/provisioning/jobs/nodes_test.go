package jobs_test

import (
	"os"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// TestLinksReadAfreshAfterAnotherServersCycle: two servers on one
// PostgreSQL database run the job's cycles in turn. The first keeps the
// job's links in memory after its cycle; the second's cycle then links a
// new user. The first server's next cycle must read the links again and
// update that user, not take it for unlinked and create it again.
func TestLinksReadAfreshAfterAnotherServersCycle(t *testing.T) {
	base := os.Getenv("PROVISIO_TEST_POSTGRES")
	if base == "" {
		t.Skip("PROVISIO_TEST_POSTGRES is unset: PostgreSQL not tested")
	}
	dsn := freshSchema(t, base)
	a := newEnv(t, dsn, "")
	b := newEnv(t, dsn, "", func(o *jobs.Options) { o.Source, o.Box = a.dir, a.box }) // the same directory and key
	a.configure(jobs.Config{})
	a.addUsers(1, 2)
	if sum := a.run(); sum.Stats.Created != 2 || sum.Error != "" {
		t.Fatalf("first server's cycle = %+v, want 2 created", sum)
	}
	a.addUsers(3, 3)
	if sum := b.run(); sum.Stats.Created != 1 || sum.Error != "" {
		t.Fatalf("second server's cycle = %+v, want u3 created", sum)
	}
	a.dir.PutUser(directory.User{ObjectID: "u3", UserPrincipalName: "user3@example.com", DisplayName: "User Three",
		GivenName: "User", Surname: "3", AccountEnabled: true})
	sum := a.run()
	if sum.Stats.Created != 0 || sum.Stats.Matched != 0 || sum.Stats.Updated != 1 || sum.Stats.Failed != 0 || sum.Error != "" {
		t.Errorf("first server's next cycle = %+v, want u3 updated through the link the other server made", sum.Stats)
	}
}
