package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// jobEvents is a JobObserver that writes down the job events.
type jobEvents struct {
	recorder
	mu  sync.Mutex
	got []jobs.JobEvent
}

func (r *jobEvents) JobEvent(e jobs.JobEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, e)
}

// kinds lists the events' kinds, with the count of a deletions-staged.
func (r *jobEvents) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.got {
		k := string(e.Kind)
		if e.Kind == jobs.EventDeletionsStaged {
			k += fmt.Sprintf("(%d)", e.Count)
		}
		out = append(out, k)
	}
	return out
}

// scheduled runs the scheduler of e until the test ends and returns a
// function that ticks it and waits for the cycle the tick started, if
// any.
func scheduled(t *testing.T, e *env) (tick func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.svc.Schedule(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return func() {
		// The second tick is taken only once the first was handled.
		e.ticks <- e.clock.now()
		e.ticks <- e.clock.now()
		waitFor(t, "the cycle to end", func() bool { return e.status().State != jobs.StateRunning })
	}
}

func (e *env) cycles() int {
	e.t.Helper()
	cs, err := e.svc.Cycles(context.Background(), appID, 100)
	if err != nil {
		e.t.Fatalf("Cycles = %v", err)
	}
	return len(cs)
}

// TestQuarantineCredentials: a target that answers 401 quarantines the
// job with reason "credentials refused"; the scheduler honours the next
// attempt (5 min, then 10) on the injected clock; a cycle that succeeds
// ends the quarantine; events come in order.
func TestQuarantineCredentials(t *testing.T) {
	ev := &jobEvents{}
	e := sqliteEnv(t, func(o *jobs.Options) { o.Observers = []jobs.Observer{ev} })
	ctx := context.Background()
	e.configure(jobs.Config{Interval: time.Minute})
	e.addUsers(1, 3)
	tick := scheduled(t, e)
	if _, err := e.svc.Start(ctx, appID); err != nil {
		t.Fatal(err)
	}
	tick()
	if n := e.target.count(t, "Users"); n != 3 || e.status().Quarantine != nil {
		t.Fatalf("first cycle: %d users, quarantine %+v, want 3 and none", n, e.status().Quarantine)
	}

	// The token is revoked: every request is answered 401.
	if _, err := e.svc.Configure(ctx, appID, jobs.Config{SecretToken: "revoked"}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		e.dir.UpdateUser(fmt.Sprintf("u%d", i), func(u *directory.User) { u.Surname = "Changed" })
	}
	e.clock.advance(time.Minute)
	entered := e.clock.now()
	tick()
	q := e.status().Quarantine
	if q == nil || q.Reason != jobs.ReasonCredentials || !q.Since.Equal(entered) || !q.NextAttempt.Equal(entered.Add(5*time.Minute)) {
		t.Fatalf("Status().Quarantine = %+v, want %q since %v, next attempt 5 min later", q, jobs.ReasonCredentials, entered)
	}
	if st := e.status(); !st.NextRun.Equal(q.NextAttempt) {
		t.Errorf("Status().NextRun = %v, want the next attempt %v", st.NextRun, q.NextAttempt)
	}

	failures := func() int {
		logs, err := e.svc.Logs(ctx, appID, jobs.LogQuery{Status: provisioning.StatusFailure})
		if err != nil {
			t.Fatalf("Logs = %v", err)
		}
		return len(logs)
	}
	if n := failures(); n != 3 {
		t.Errorf("failures logged by the refused cycle = %d, want 3", n)
	}
	// Further attempts probe the credentials first (Test Connection):
	// refused, they send nothing more and log no failure per object.
	tests := []struct {
		advance      time.Duration
		wantAttempts int
		wantNext     time.Duration // after entered
	}{
		{time.Minute, 1, 5 * time.Minute},      // the interval passed, the backoff not: no attempt
		{4 * time.Minute, 2, 15 * time.Minute}, // 5 min: tried again, still refused; 10 min more
		{9 * time.Minute, 2, 15 * time.Minute},
	}
	for _, tt := range tests {
		e.clock.advance(tt.advance)
		tick()
		q := e.status().Quarantine
		if q == nil || q.Cycles != tt.wantAttempts || !q.NextAttempt.Equal(entered.Add(tt.wantNext)) || failures() != 3 || e.cycles() != 2 {
			t.Errorf("at +%v: quarantine %+v, %d failures logged, want %d attempts, next attempt +%v, no new failures",
				e.clock.now().Sub(entered), q, failures(), tt.wantAttempts, tt.wantNext)
		}
	}

	// The token is fixed: the next attempt succeeds and ends the quarantine.
	if _, err := e.svc.Configure(ctx, appID, jobs.Config{SecretToken: token}); err != nil {
		t.Fatal(err)
	}
	if q := e.status().Quarantine; q == nil || !q.NextAttempt.Equal(e.clock.now()) {
		t.Errorf("Status().Quarantine after a new token = %+v, want the next attempt now", q)
	}
	tick()
	if q := e.status().Quarantine; q != nil || e.cycles() != 3 {
		t.Errorf("after the token was fixed: quarantine %+v, %d cycles, want none and 3", q, e.cycles())
	}
	if got, want := ev.kinds(), []string{"quarantined", "recovered"}; !reflect.DeepEqual(got, want) {
		t.Errorf("job events = %q, want %q", got, want)
	}
	if ev.got[0].NotificationEmail != "" || ev.got[0].AppID != appID || !strings.Contains(ev.got[0].Reason, "401 or 403") {
		t.Errorf("quarantined event = %+v, want app %s and a reason naming 401 or 403", ev.got[0], appID)
	}
}

// TestOneMistakenGroupUnassignment is the story: one mistaken
// group unassignment would disable 8 accounts and delete a group with
// nothing to hold it. With a deletion threshold of 5 the 9 actions are
// staged, nothing is sent, the job is quarantined for too many deletions
// and lists them; then either allow-deletes sends them once (and the
// threshold is back), or the directory is fixed and they are dropped.
func TestOneMistakenGroupUnassignment(t *testing.T) {
	tests := []struct {
		name     string
		resolve  func(e *env)
		want     provisioning.Stats
		wantUser bool // user1 still active on the target
		events   []string
	}{
		{"allow deletes", func(e *env) {
			if err := e.svc.AllowDeletes(context.Background(), appID); err != nil {
				t.Fatal(err)
			}
		}, provisioning.Stats{Disabled: 8, Deleted: 1}, false, []string{"quarantined", "deletions-staged(9)", "recovered"}},
		{"directory fixed", func(e *env) {
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
		}, provisioning.Stats{}, true, []string{"quarantined", "deletions-staged(9)", "recovered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &jobEvents{}
			e := sqliteEnv(t, func(o *jobs.Options) { o.Observers = []jobs.Observer{ev} })
			ctx := context.Background()
			five := 5
			if j := e.configure(jobs.Config{DeletionThreshold: &five}); j.DeletionThreshold != (jobs.DeletionThreshold{Count: 5, Percent: jobs.DefaultDeletionThresholdPercent}) {
				t.Errorf("Configure().DeletionThreshold = %+v, want 5 and the default percent", j.DeletionThreshold)
			}
			g := directory.Group{ObjectID: "g1", DisplayName: "Sales"}
			for i := 1; i <= 8; i++ {
				id := fmt.Sprintf("u%d", i)
				e.dir.PutUser(directory.User{ObjectID: id, UserPrincipalName: fmt.Sprintf("user%d@example.com", i),
					DisplayName: "User", AccountEnabled: true})
				g.Members = append(g.Members, directory.Member{ID: id, Kind: directory.KindUser})
			}
			e.dir.PutGroup(g)
			e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
			if sum := e.run(); sum.Stats.Created != 9 {
				t.Fatalf("first cycle = %+v, want 9 created", sum.Stats)
			}

			e.dir.Unassign(appID, "g1")
			before := e.target.requests.Load()
			sum := e.runStaged()
			if sum.Stats.Staged != 9 || sum.Stats.Disabled+sum.Stats.Deleted != 0 || !strings.Contains(sum.Error, "staged") {
				t.Errorf("cycle after the unassignment = %+v (%s), want 9 staged, none sent", sum.Stats, sum.Error)
			}
			if n := e.target.requests.Load() - before; n != 0 {
				t.Errorf("the staged cycle sent %d requests, want 0", n)
			}
			q := e.status().Quarantine
			if q == nil || q.Reason != jobs.ReasonDeletions || q.Staged != 9 {
				t.Fatalf("Status().Quarantine = %+v, want %q with 9 staged", q, jobs.ReasonDeletions)
			}
			staged, allowed, err := e.svc.Staged(ctx, appID)
			if err != nil || len(staged) != 9 || allowed {
				t.Fatalf("Staged() = %d entries, allowed %v, %v, want 9, not allowed", len(staged), allowed, err)
			}
			actions := map[provisioning.ActionKind]int{}
			for _, s := range staged {
				actions[s.Action]++
				if n := strings.Count(s.Reason, "(not assigned to the application)"); n != 1 {
					t.Errorf("staged %s reason = %q, want the object's own reason once", s.SourceName, s.Reason)
				}
			}
			if actions[provisioning.ActionDisable] != 8 || actions[provisioning.ActionDelete] != 1 {
				t.Errorf("staged actions = %v, want 8 disables and 1 delete", actions)
			}
			logs, err := e.svc.Logs(ctx, appID, jobs.LogQuery{Status: provisioning.StatusStaged})
			if err != nil || len(logs) != 9 {
				t.Errorf("Logs(status staged) = %d, %v, want 9", len(logs), err)
			}

			tt.resolve(e)
			sum = e.run()
			if got := sum.Stats; got.Disabled != tt.want.Disabled || got.Deleted != tt.want.Deleted || got.Staged != 0 || sum.Error != "" {
				t.Errorf("cycle after %s = %+v (%s), want %+v", tt.name, got, sum.Error, tt.want)
			}
			if q := e.status().Quarantine; q != nil {
				t.Errorf("Status().Quarantine after %s = %+v, want none", tt.name, q)
			}
			if got := e.target.count(t, "Groups"); (got == 1) != tt.wantUser {
				t.Errorf("target groups = %d after %s", got, tt.name)
			}
			if got, want := ev.kinds(), tt.events; !reflect.DeepEqual(got, want) {
				t.Errorf("job events = %q, want %q", got, want)
			}
			if _, allowed, _ := e.svc.Staged(ctx, appID); allowed {
				t.Errorf("allow-deletes still set after the cycle that used it, want it one-shot")
			}
		})
	}
}

// TestDeletionThresholdPercent: the percentage of the managed objects
// protects small jobs; below its minimum count it does not apply.
func TestDeletionThresholdPercent(t *testing.T) {
	tests := []struct {
		name        string
		unassign    int
		wantStaged  int64
		wantDisable int64
	}{
		{"4 of 10 under the minimum", 4, 0, 4},
		{"5 of 10 over 30%", 5, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sqliteEnv(t)
			e.configure(jobs.Config{})
			e.addUsers(1, 10)
			e.run()
			for i := 1; i <= tt.unassign; i++ {
				e.dir.Unassign(appID, fmt.Sprintf("u%d", i))
			}
			run := e.run
			if tt.wantStaged > 0 {
				run = e.runStaged
			}
			sum := run()
			if sum.Stats.Staged != tt.wantStaged || sum.Stats.Disabled != tt.wantDisable {
				t.Errorf("cycle = %+v, want %d staged and %d disabled", sum.Stats, tt.wantStaged, tt.wantDisable)
			}
		})
	}
}

// TestClearQuarantine ends a quarantine at once, with EventRecovered;
// the threshold and its validation stay.
func TestClearQuarantine(t *testing.T) {
	ev := &jobEvents{}
	e := sqliteEnv(t, func(o *jobs.Options) { o.Observers = []jobs.Observer{ev} })
	ctx := context.Background()
	zero := 0
	e.configure(jobs.Config{DeletionThresholdPercent: &zero})
	e.addUsers(1, 3)
	e.run()
	if _, err := e.svc.Configure(ctx, appID, jobs.Config{SecretToken: "revoked"}); err != nil {
		t.Fatal(err)
	}
	e.addUsers(4, 6)
	e.run()
	if q := e.status().Quarantine; q == nil {
		t.Fatal("no quarantine after a cycle answered 401")
	}
	if err := e.svc.ClearQuarantine(ctx, appID); err != nil {
		t.Fatalf("ClearQuarantine = %v", err)
	}
	if q := e.status().Quarantine; q != nil {
		t.Errorf("Status().Quarantine after ClearQuarantine = %+v, want none", q)
	}
	if got, want := ev.kinds(), []string{"quarantined", "recovered"}; !reflect.DeepEqual(got, want) {
		t.Errorf("job events = %q, want %q", got, want)
	}
	if j, err := e.svc.Get(ctx, appID); err != nil || j.DeletionThreshold != (jobs.DeletionThreshold{Count: jobs.DefaultDeletionThreshold}) {
		t.Errorf("Get().DeletionThreshold = %+v, %v, want the default count, percent off", j.DeletionThreshold, err)
	}
	bad, worse := -1, 101
	_, err := e.svc.Configure(ctx, appID, jobs.Config{DeletionThreshold: &bad, DeletionThresholdPercent: &worse})
	if !errors.Is(err, jobs.ErrInvalid) || !strings.Contains(err.Error(), "deletion threshold -1") || !strings.Contains(err.Error(), "percent 101") {
		t.Errorf("Configure(bad thresholds) = %v, want ErrInvalid naming both", err)
	}
}

// runStaged runs a cycle that stages disables and deletes.
func (e *env) runStaged() *jobs.CycleSummary {
	e.t.Helper()
	e.clock.advance(time.Second)
	sum, err := e.svc.Run(context.Background(), appID)
	if !errors.Is(err, provisioning.ErrStaged) {
		e.t.Fatalf("Run = %v, want ErrStaged", err)
	}
	return sum
}

// TestQuarantineReasonChanges: Test Connection answered 401 quarantines
// the job (a second test is no further attempt); accepted, the next
// attempt is due at once; a manual run while quarantined that stages
// deletions changes the reason; staging the same again says nothing new;
// fixing the directory ends it. One event per change, in order.
func TestQuarantineReasonChanges(t *testing.T) {
	ev := &jobEvents{}
	e := sqliteEnv(t, func(o *jobs.Options) { o.Observers = []jobs.Observer{ev} })
	ctx := context.Background()
	e.configure(jobs.Config{})
	e.addUsers(1, 10)
	e.run()

	if _, err := e.svc.Configure(ctx, appID, jobs.Config{SecretToken: "revoked"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.svc.TestConnection(ctx, appID); err == nil {
			t.Fatal("TestConnection with a revoked token = nil, want an error")
		}
	}
	q := e.status().Quarantine
	if q == nil || q.Reason != jobs.ReasonCredentials || q.Cycles != 1 || !strings.Contains(q.Detail, "Test Connection") {
		t.Fatalf("Status().Quarantine after two refused tests = %+v, want credentials refused, 1 attempt", q)
	}
	if _, err := e.svc.Configure(ctx, appID, jobs.Config{SecretToken: token}); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Second)
	if err := e.svc.TestConnection(ctx, appID); err != nil {
		t.Fatalf("TestConnection = %v", err)
	}
	if q := e.status().Quarantine; q == nil || !q.NextAttempt.Equal(e.clock.now()) {
		t.Errorf("Status().Quarantine after a good test = %+v, want the next attempt now (%v)", q, e.clock.now())
	}

	for i := 1; i <= 6; i++ {
		e.dir.Unassign(appID, fmt.Sprintf("u%d", i))
	}
	if sum := e.runStaged(); sum.Stats.Staged != 6 {
		t.Errorf("run over 30%% = %+v, want 6 staged", sum.Stats)
	}
	if q := e.status().Quarantine; q == nil || q.Reason != jobs.ReasonDeletions || !strings.Contains(q.Detail, "over 30% of the 10 objects") {
		t.Errorf("Status().Quarantine = %+v, want too many deletions, over 30%% of 10", q)
	}
	e.runStaged()
	for i := 1; i <= 6; i++ {
		e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: fmt.Sprintf("u%d", i), PrincipalKind: directory.KindUser})
	}
	e.run()
	want := []string{"quarantined", "quarantine-changed", "deletions-staged(6)", "recovered"}
	if got := ev.kinds(); !reflect.DeepEqual(got, want) {
		t.Errorf("job events = %q, want %q", got, want)
	}
}

// TestAllowDeletesIsOneShot: a permission given when nothing is staged is
// the next cycle's and does not stay armed for a later mass deletion.
func TestAllowDeletesIsOneShot(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	e.addUsers(1, 10)
	e.run()
	if err := e.svc.AllowDeletes(ctx, appID); err != nil {
		t.Fatal(err)
	}
	e.run() // nothing to delete: the permission is spent
	for i := 1; i <= 6; i++ {
		e.dir.Unassign(appID, fmt.Sprintf("u%d", i))
	}
	if sum := e.runStaged(); sum.Stats.Staged != 6 || sum.Stats.Disabled != 0 {
		t.Errorf("mass unassignment after a spent allow-deletes = %+v, want 6 staged", sum.Stats)
	}
}
