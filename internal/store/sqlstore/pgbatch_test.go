package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/storetest"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// pgEnv is a PostgreSQL store with one tenant, for the batch tests.
type pgEnv struct {
	s      *Store
	tenant string
	ctx    context.Context
	users  *scim.ResourceType
}

func newPGEnv(t *testing.T) pgEnv {
	t.Helper()
	s := openPostgres(t, freshSchema(t, postgresURL(t)))
	ten, err := s.CreateTenant(context.Background(), "batch", nil)
	if err != nil {
		t.Fatalf("CreateTenant = %v", err)
	}
	users, _ := standardTypes()
	return pgEnv{s: s, tenant: ten.ID, ctx: store.WithTenant(context.Background(), ten.ID), users: users}
}

// newCreate is the queued write of a new user, as Create makes it.
func (e pgEnv) newCreate(t *testing.T, userName string) *pgWrite {
	t.Helper()
	doc := scim.Resource{"userName": userName, "active": true}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	now := millis(e.s.now())
	r := row{id: uuid.Must(uuid.NewV7()).String(), doc: doc, body: string(body), created: now, modified: now, version: 1}
	return &pgWrite{ctx: e.ctx, rt: e.users, r: r, cols: columnsOf(e.users, doc)}
}

// newUpdate is the queued write that sets attr to value on the user id as
// stored now, as Update makes it.
func (e pgEnv) newUpdate(t *testing.T, id, attr string, value any) *pgWrite {
	t.Helper()
	cur, err := readRow(e.ctx, e.s, e.tenant, e.users, id, "")
	if err != nil {
		t.Fatalf("readRow(%s) = %v", id, err)
	}
	next, err := resources{e.s}.applyChange(e.users, cur, "", backend.Change{Apply: func(r scim.Resource) (scim.Resource, error) {
		r[attr] = value
		return r, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &pgWrite{ctx: e.ctx, rt: e.users, r: next.row, cols: next.cols}
}

func (e pgEnv) mustCreate(t *testing.T, userName string) string {
	t.Helper()
	res, err := e.s.Backend().Create(e.ctx, e.users, scim.Resource{"userName": userName})
	if err != nil {
		t.Fatalf("Create(%s) = %v", userName, err)
	}
	return res["id"].(string)
}

func (e pgEnv) events(t *testing.T) []store.Event {
	t.Helper()
	evs, err := e.s.Events(context.Background(), e.tenant, 0, store.MaxEventLimit)
	if err != nil {
		t.Fatalf("Events = %v", err)
	}
	return evs
}

func wantUniqueness(t *testing.T, what string, err error) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) || se.Status != statusConflict || se.ScimType != scim.ScimTypeUniqueness {
		t.Errorf("%s = %v, want 409 uniqueness", what, err)
	}
}

// TestPGBatchCreate: in one batch, a userName already stored and the
// second of two equal userNames fail alone with the single create's 409
// (naming userName); the others are stored with one event each, in the
// batch's order.
func TestPGBatchCreate(t *testing.T) {
	e := newPGEnv(t)
	e.mustCreate(t, "taken")
	batch := []*pgWrite{e.newCreate(t, "a"), e.newCreate(t, "TAKEN"), e.newCreate(t, "twin"), e.newCreate(t, "b"), e.newCreate(t, "Twin")}
	e.s.pgw.run(pgKey{e.tenant, pgCreate}, batch)
	for i, w := range batch {
		if i == 1 || i == 4 {
			wantUniqueness(t, fmt.Sprintf("write %d (%s)", i, w.r.doc["userName"]), w.err)
			if w.err != nil && !strings.HasSuffix(w.err.Error(), fmt.Sprintf(": userName %q is already in use", w.r.doc["userName"])) {
				t.Errorf("write %d: error %q, want the single create's", i, w.err)
			}
		} else if w.err != nil {
			t.Errorf("write %d (%s) = %v, want stored", i, w.r.doc["userName"], w.err)
		}
	}
	evs := e.events(t)
	var got []string
	for _, ev := range evs[1:] {
		got = append(got, ev.ResourceID)
	}
	want := []string{batch[0].r.id, batch[2].r.id, batch[3].r.id}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(evs) != 4 {
		t.Errorf("events after the first = %v, want %v", got, want)
	}
	for _, w := range []*pgWrite{batch[0], batch[2], batch[3]} {
		if _, err := readRow(e.ctx, e.s, e.tenant, e.users, w.r.id, ""); err != nil {
			t.Errorf("stored %s: %v", w.r.doc["userName"], err)
		}
	}
}

// TestPGBatchOneFailingWrite: a write the database refuses (a NUL byte
// in a column's text) fails the batch's statement; each write is then tried
// alone, so it alone fails and the others are stored.
func TestPGBatchOneFailingWrite(t *testing.T) {
	e := newPGEnv(t)
	batch := []*pgWrite{e.newCreate(t, "a"), e.newCreate(t, "bad\x00name"), e.newCreate(t, "c")}
	e.s.pgw.run(pgKey{e.tenant, pgCreate}, batch)
	if batch[0].err != nil || batch[2].err != nil || batch[1].err == nil {
		t.Fatalf("errors = %v, %v, %v; want only the second to fail", batch[0].err, batch[1].err, batch[2].err)
	}
	if n := len(e.events(t)); n != 2 {
		t.Errorf("events = %d, want 2", n)
	}

	a, c := batch[0].r.id, batch[2].r.id
	ups := []*pgWrite{e.newUpdate(t, a, "title", "x"), e.newUpdate(t, c, "userName", "bad\x00name")}
	e.s.pgw.run(pgKey{e.tenant, pgUpdate}, ups)
	if ups[0].err != nil || ups[1].err == nil {
		t.Fatalf("update errors = %v, %v; want only the second to fail", ups[0].err, ups[1].err)
	}
	if got, _ := readRow(e.ctx, e.s, e.tenant, e.users, a, ""); got.doc["title"] != "x" || got.version != 2 {
		t.Errorf("a after the batch = %v version %d, want title x, version 2", got.doc, got.version)
	}
	if got, _ := readRow(e.ctx, e.s, e.tenant, e.users, c, ""); got.version != 1 {
		t.Errorf("c after its failed update has version %d, want 1", got.version)
	}
}

// TestPGBatchUpdate: in one batch, a stale version and the second of two
// writes of one row are conflicts (Update retries them), a rename onto a
// stored userName gets the single update's 409 and the rest is written,
// each with its event.
func TestPGBatchUpdate(t *testing.T) {
	e := newPGEnv(t)
	a, b, c, d := e.mustCreate(t, "a"), e.mustCreate(t, "b"), e.mustCreate(t, "c"), e.mustCreate(t, "d")
	stale := e.newUpdate(t, c, "title", "stale")
	if _, err := e.s.Backend().Update(e.ctx, e.users, c, "", backend.Change{Apply: func(r scim.Resource) (scim.Resource, error) {
		r["title"] = "first"
		return r, nil
	}}, backend.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	batch := []*pgWrite{
		e.newUpdate(t, a, "title", "one"),
		e.newUpdate(t, b, "title", "two"),
		e.newUpdate(t, b, "title", "again"),
		stale,
		e.newUpdate(t, d, "userName", "A"),
	}
	before := len(e.events(t))
	e.s.pgw.run(pgKey{e.tenant, pgUpdate}, batch)
	if batch[0].err != nil || batch[1].err != nil {
		t.Errorf("updates of a, b = %v, %v, want written", batch[0].err, batch[1].err)
	}
	for _, i := range []int{2, 3} {
		if !errors.Is(batch[i].err, errConflict) {
			t.Errorf("write %d = %v, want errConflict", i, batch[i].err)
		}
	}
	wantUniqueness(t, "rename onto a", batch[4].err)
	for _, want := range []struct {
		id      string
		title   any
		version int64
	}{{a, "one", 2}, {b, "two", 2}, {c, "first", 2}, {d, nil, 1}} {
		got, err := readRow(e.ctx, e.s, e.tenant, e.users, want.id, "")
		if err != nil || got.doc["title"] != want.title || got.version != want.version {
			t.Errorf("%s = %v version %d, %v; want title %v, version %d", want.id, got.doc, got.version, err, want.title, want.version)
		}
	}
	if n := len(e.events(t)) - before; n != 2 {
		t.Errorf("events of the batch = %d, want 2", n)
	}
}

// TestPGBatchGivenUp: a write whose caller gave up before its batch ran is
// not written; the others are.
func TestPGBatchGivenUp(t *testing.T) {
	e := newPGEnv(t)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	gone := e.newCreate(t, "gone")
	gone.ctx = ctx
	batch := []*pgWrite{gone, e.newCreate(t, "kept")}
	e.s.pgw.run(pgKey{e.tenant, pgCreate}, batch)
	if !errors.Is(gone.err, context.Canceled) || batch[1].err != nil {
		t.Fatalf("errors = %v, %v; want canceled, nil", gone.err, batch[1].err)
	}
	if evs := e.events(t); len(evs) != 1 || evs[0].ResourceID != batch[1].r.id {
		t.Errorf("events = %+v, want kept's create only", evs)
	}
}

// TestPGBatchFeedUnderConcurrency: concurrent creates and PATCHes, grouped
// into batches, while a consumer follows the feed: the consumer sees every
// event exactly once, in the feed's order (no seq committed behind its
// position), every write is acknowledged once stored, and no update is
// lost.
func TestPGBatchFeedUnderConcurrency(t *testing.T) {
	e := newPGEnv(t)
	const writers, perWriter = 16, 12
	b := e.s.Backend()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				res, err := b.Create(e.ctx, e.users, scim.Resource{"userName": fmt.Sprintf("w%d-%d", w, i), "title": "0"})
				if err != nil {
					t.Errorf("Create = %v", err)
					return
				}
				_, err = b.Update(e.ctx, e.users, res["id"].(string), `W/"1"`, backend.Change{Apply: func(r scim.Resource) (scim.Resource, error) {
					r["title"] = "1"
					return r, nil
				}}, backend.GetOptions{})
				if err != nil {
					t.Errorf("Update = %v", err)
					return
				}
			}
		})
	}
	seen := storetest.ConsumeFeed(t, e.s, e.tenant, 10, &wg)
	all := e.events(t)
	if len(all) != 2*writers*perWriter || fmt.Sprint(seen) != fmt.Sprint(all) {
		t.Fatalf("consumer saw %d events, feed has %d, want %d, the same", len(seen), len(all), 2*writers*perWriter)
	}
	ops := map[string]string{}
	for _, ev := range all {
		ops[ev.ResourceID] += string(ev.Op) + " "
	}
	for id, got := range ops {
		if got != "create update " {
			t.Errorf("events of %s: %s, want create then update", id, got)
		}
	}
	if e.s.pgw.batched.Load() == 0 {
		t.Errorf("no statement wrote more than one write: the batch path was not exercised")
	}
}

// TestPGCoalescedReadsByID: concurrent reads by id (a GET, a PATCH's read
// before its compare-and-swap), answered together by `id = ANY` queries,
// each get their own resource, and 404 for an unknown id or one of
// another type; no queue is left behind.
func TestPGCoalescedReadsByID(t *testing.T) {
	e := newPGEnv(t)
	_, groups := standardTypes()
	const n = 24
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.mustCreate(t, fmt.Sprintf("u%d", i))
	}
	g, err := e.s.Backend().Create(e.ctx, groups, scim.Resource{"displayName": "g"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for round := range 4 {
		for i := range n + 2 {
			wg.Go(func() {
				id := "no-such-id"
				if i < n {
					id = ids[i]
				} else if i == n {
					id = g["id"].(string) // a Group, read as a User
				}
				got, err := e.s.Backend().Get(e.ctx, e.users, id, backend.GetOptions{})
				switch {
				case i >= n:
					var se *scim.Error
					if !errors.As(err, &se) || se.Status != statusNotFound {
						t.Errorf("round %d: Get(%s) = %v, %v; want 404", round, id, got, err)
					}
				case err != nil || got["id"] != id || got["userName"] != fmt.Sprintf("u%d", i):
					t.Errorf("round %d: Get(%s) = %v, %v; want u%d", round, id, got, err, i)
				}
			})
		}
	}
	wg.Wait()
	e.s.bg.Wait()
	e.s.lookups.mu.Lock()
	defer e.s.lookups.mu.Unlock()
	if len(e.s.lookups.queues) != 0 {
		t.Errorf("after the reads: %d queues left, want none", len(e.s.lookups.queues))
	}
}
