package provisioning_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// recorder is a ProgressReporter keeping what it heard.
type recorder struct {
	mu                sync.Mutex
	events            []string
	total, considered int
	over              bool // considered ever above total
}

func (r *recorder) StagePlanned(t provisioning.ObjectType, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total += n
	r.events = append(r.events, fmt.Sprintf("plan %s %d", t, n))
}

func (r *recorder) ChunkDone(t provisioning.ObjectType, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.considered += n
	r.over = r.over || r.considered > r.total
	r.events = append(r.events, fmt.Sprintf("done %s %d", t, n))
}

// TestRunReportsProgress: a cycle run with WithProgress reports each
// stage's candidates before its chunks, and ends with every candidate
// considered; a Plan without the reporter reports nothing.
func TestRunReportsProgress(t *testing.T) {
	e := newEnv(t)
	e.addUsers(5)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Sales", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	r := &recorder{}
	if _, err := e.engine.Plan(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := e.engine.Run(provisioning.WithProgress(context.Background(), r))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Created != 6 {
		t.Fatalf("created = %d, want 5 users and a group", res.Stats.Created)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	want := "[plan User 5 done User 5 plan Group 1 done Group 1]"
	if got := fmt.Sprint(r.events); got != want {
		t.Errorf("progress events = %s, want %s", got, want)
	}
	if r.total != 6 || r.considered != r.total || r.over {
		t.Errorf("total %d considered %d (over %v), want 6 of 6, never over", r.total, r.considered, r.over)
	}

	// An incremental cycle after one change considers only that user.
	e.rebuild()
	u := user(2)
	u.Surname = "Changed"
	e.dir.PutUser(u)
	r2 := &recorder{}
	if _, err := e.engine.Run(provisioning.WithProgress(context.Background(), r2)); err != nil {
		t.Fatal(err)
	}
	if r2.considered != r2.total || r2.total < 1 || r2.total >= 6 {
		t.Errorf("incremental cycle: %d of %d considered (events %v), want all of a total below the 6 objects", r2.considered, r2.total, r2.events)
	}
}
