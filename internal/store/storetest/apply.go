package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/patch"
)

// blockedWriteLimit bounds how long a write may wait while another
// update's Apply runs; it is a failure guard, not a pace: without a lock
// around Apply the writes below finish in milliseconds.
const blockedWriteLimit = 10 * time.Second

// testApplyOutsideLocks: Change.Apply, a client's PATCH or PUT, runs
// outside every lock other writers wait for. While one update's Apply is
// stopped (on its retry after a lost compare-and-swap, where a store might
// fall back to locking), another tenant can create and the same resource
// can be updated; the stopped update then retries and loses nothing.
func testApplyOutsideLocks(t *testing.T, open openTenant) {
	a, b := open(t, "a"), open(t, "b")
	u := a.mustCreate(t, a.users, user("alice"))
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	calls := 0
	done := make(chan error, 1)
	go func() {
		_, err := a.b.Update(a.ctx, a.users, id(u), "", backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) {
			calls++
			switch calls {
			case 1: // lose the compare-and-swap: a concurrent write lands now
				if err := guardedUpdate(a, id(u), "nickName", "concurrent"); err != nil {
					return nil, err
				}
			case 2: // the retry: hold Apply until the test has written
				once.Do(func() { close(entered) })
				<-release
			}
			cur["title"] = "applied"
			return cur, nil
		}}, noMembers)
		done <- err
	}()
	select {
	case <-entered:
	case err := <-done:
		t.Fatalf("Update returned %v before its retried Apply ran; want an Apply outside locks (a write inside the first Apply must not wait for the update itself)", err)
	}
	ctx, cancel := context.WithTimeout(b.ctx, blockedWriteLimit)
	start := time.Now()
	_, err := b.b.Create(ctx, b.users, user("bob"))
	cancel()
	if err != nil {
		t.Errorf("another tenant's Create while an Apply runs = %v after %v, want it not to wait for the Apply", err, time.Since(start))
	}
	if err := guardedUpdate(a, id(u), "displayName", "same row"); err != nil {
		t.Errorf("Update of the same resource while an Apply runs = %v, want it not to wait for the Apply", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Update with a stopped Apply = %v", err)
	}
	got, err := a.b.Get(a.ctx, a.users, id(u), noMembers)
	if err != nil {
		t.Fatalf("Get = %v", err)
	}
	for attr, want := range map[string]string{"title": "applied", "nickName": "concurrent", "displayName": "same row"} {
		if got[attr] != want {
			t.Errorf("after concurrent updates %s = %v, want %q (no lost update)", attr, got[attr], want)
		}
	}
}

// guardedUpdate sets one attribute, failing instead of waiting for ever.
func guardedUpdate(e env, uid, attr string, v any) error {
	ctx, cancel := context.WithTimeout(e.ctx, blockedWriteLimit)
	defer cancel()
	_, err := e.b.Update(ctx, e.users, uid, "", replace(attr, v), noMembers)
	return err
}

// testUnchangedUpdate: an update whose Apply changes nothing writes
// nothing: version and lastModified stay (RFC 7644 §3.5.2.1) and no change
// event is recorded; the same for a membership change that changes no
// member.
func testUnchangedUpdate(t *testing.T, open openTenant) {
	e := open(t, "t")
	u := e.mustCreate(t, e.users, user("alice", "title", "x"))
	time.Sleep(2 * time.Millisecond) // a write would get a later lastModified
	same := backend.Change{Apply: func(cur scim.Resource) (scim.Resource, error) { return cur, nil }}
	got, err := e.b.Update(e.ctx, e.users, id(u), version(u), same, noMembers)
	if err != nil {
		t.Fatalf("Update(unchanged) = %v", err)
	}
	if version(got) != version(u) || meta(got)["lastModified"] != meta(u)["lastModified"] {
		t.Errorf("Update(unchanged) meta = %v, want %v", meta(got), meta(u))
	}
	if got["title"] != "x" || id(got) != id(u) {
		t.Errorf("Update(unchanged) = %v, want the stored resource", got)
	}
	again, _ := e.b.Get(e.ctx, e.users, id(u), noMembers)
	if version(again) != version(u) {
		t.Errorf("Get after Update(unchanged) version = %s, want %s", version(again), version(u))
	}
	if evs, ok := e.eventsOf(t); ok && len(evs) != 1 {
		t.Errorf("Events after a create and an unchanged update = %v, want the create only", evs)
	}
	g := e.mustCreate(t, e.groups, group("g", id(u)))
	for _, tc := range []struct {
		name   string
		change backend.Change
		bumped bool
	}{
		{"add of a member the group has", membersChange(patch.MembersChange{Add: []scim.Member{{Value: id(u)}}}), false},
		{"the same with an unchanged document", backend.Change{Apply: same.Apply, Members: &patch.MembersChange{Add: []scim.Member{{Value: id(u)}}}}, false},
		{"remove of a member the group lacks", membersChange(patch.MembersChange{Remove: []string{"nobody"}}), false},
		{"add of a new member", membersChange(patch.MembersChange{Add: []scim.Member{{Value: id(e.mustCreate(t, e.users, user("bob")))}}}), true},
	} {
		before, _ := e.b.Get(e.ctx, e.groups, id(g), noMembers)
		got, err := e.b.Update(e.ctx, e.groups, id(g), "", tc.change, noMembers)
		if err != nil || (version(got) != version(before)) != tc.bumped {
			t.Errorf("Update(%s) = %v, %v; version before %s, want a new version: %v", tc.name, got, err, version(before), tc.bumped)
		}
	}
}
