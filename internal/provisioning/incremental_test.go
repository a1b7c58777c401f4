package provisioning_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// countingSource counts the reads of the scope (assignments, groups) and
// the users read by id.
type countingSource struct {
	provisioning.Source
	mu                  sync.Mutex
	assignments, groups int
	users               int // ids asked for
}

func (s *countingSource) Assignments(ctx context.Context, appID string) ([]directory.Assignment, error) {
	s.mu.Lock()
	s.assignments++
	s.mu.Unlock()
	return s.Source.Assignments(ctx, appID)
}

func (s *countingSource) Groups(ctx context.Context, ids []string) ([]*directory.Group, error) {
	s.mu.Lock()
	s.groups++
	s.mu.Unlock()
	return s.Source.Groups(ctx, ids)
}

func (s *countingSource) Users(ctx context.Context, ids []string) ([]*directory.User, error) {
	s.mu.Lock()
	s.users += len(ids)
	s.mu.Unlock()
	return s.Source.Users(ctx, ids)
}

func (s *countingSource) take() (assignments, groups, users int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	assignments, groups, users = s.assignments, s.groups, s.users
	s.assignments, s.groups, s.users = 0, 0, 0
	return
}

// TestIncrementalFollowsTheFeed: with the job's CycleMemory (as the job
// service keeps it), an incremental cycle reads neither the assignments
// nor the groups when the feed holds no group or assignment change, and
// reads only the changed users; a membership change reads that group
// alone again and reaches the target (the removed member disabled, the added one
// created); a cycle of another Engine without the memory (as another node
// would run) makes the next one compare everything again, still right.
func TestIncrementalFollowsTheFeed(t *testing.T) { incrementalFollowsTheFeed(t) }

// TestIncrementalFollowsTheFeedPastTouchedMax: the same when the initial
// cycle touches more links than a touched set names (issue 15, engine
// memory): the flagged objects are computed afresh at its end, and the
// next cycle with nothing changed still reads and sends nothing.
func TestIncrementalFollowsTheFeedPastTouchedMax(t *testing.T) {
	defer provisioning.SetTouchedMax(50)()
	incrementalFollowsTheFeed(t)
}

func incrementalFollowsTheFeed(t *testing.T) {
	const n = 300
	src := &countingSource{}
	e := newEnv(t, func(c *provisioning.Config) { src.Source = c.Source; c.Source = src })
	members := make([]directory.Member, 0, n)
	for i := 1; i <= n; i++ {
		e.dir.PutUser(user(i))
		members = append(members, directory.Member{Kind: directory.KindUser, ID: fmt.Sprintf("u%d", i)})
	}
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Everyone", Members: members})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	if res := e.run(); res.Kind != provisioning.CycleInitial || res.Stats.Created != n+1 {
		t.Fatalf("initial cycle = %+v, want %d created", res, n+1)
	}
	src.take()

	res := e.run()
	if a, g, u := src.take(); a != 0 || g != 0 || u != 0 || res.Stats.Requests != 0 {
		t.Errorf("nothing changed: %d assignment reads, %d group reads, %d users read, %d requests; want none", a, g, u, res.Stats.Requests)
	}

	e.dir.UpdateUser("u7", func(u *directory.User) { u.Surname = "Changed" })
	res = e.run()
	if a, g, u := src.take(); a != 0 || g != 0 || u != 1 || res.Stats.Updated != 1 {
		t.Errorf("one user changed: %d assignment reads, %d group reads, %d users read, stats %+v; want 0, 0, 1 and one update", a, g, u, res.Stats)
	}

	// u1 leaves the group, u301 joins it.
	e.dir.PutUser(user(n + 1))
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Everyone",
		Members: append(members[1:], directory.Member{Kind: directory.KindUser, ID: fmt.Sprintf("u%d", n+1)})})
	res = e.run()
	if a, g, _ := src.take(); a != 0 || g != 1 {
		t.Errorf("membership changed: %d assignment reads, %d group reads; want 0 and 1 (the changed group alone)", a, g)
	}
	if res.Stats.Created != 1 || res.Stats.Disabled != 1 || res.Stats.Failed != 0 {
		t.Errorf("membership changed: stats %+v, want u%d created and u1 disabled", res.Stats, n+1)
	}
	if u := e.targetUser("user1@example.com"); u == nil || u["active"] != false {
		t.Errorf("u1 in the target = %v, want inactive", u)
	}

	// Another engine (another node) runs a cycle: u2 leaves meanwhile.
	other := e.cfg
	other.Table, other.Settled, other.Memory = nil, nil, nil
	oe, err := provisioning.New(other)
	if err != nil {
		t.Fatal(err)
	}
	e.dir.UpdateUser("u3", func(u *directory.User) { u.Surname = "Elsewhere" })
	if _, err := oe.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Everyone", Members: members[2:]})
	src.take()
	res = e.run()
	if a, _, _ := src.take(); a == 0 {
		t.Errorf("after another engine's cycle: the scope was not read again")
	}
	if res.Stats.Disabled != 2 || res.Stats.Failed != 0 {
		t.Errorf("after another engine's cycle: stats %+v, want u2 and u%d disabled", res.Stats, n+1)
	}
}
