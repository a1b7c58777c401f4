package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

func testTenants(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, err := s.CreateTenant(ctx, "acme", []byte(`{"patch":"204"}`))
	if err != nil {
		t.Fatalf("CreateTenant(acme) = %v", err)
	}
	if !store.ValidTenantID(a.ID) || a.Name != "acme" || a.Created.IsZero() {
		t.Errorf("CreateTenant(acme) = %+v, want an id of store.ValidTenantID, name, created", a)
	}
	b, err := s.CreateTenant(ctx, "globex", nil)
	if err != nil {
		t.Fatalf("CreateTenant(globex) = %v", err)
	}

	errTests := []struct {
		name string
		in   string
		want error
	}{
		{"duplicate name", "acme", store.ErrExists},
		{"empty name", "", store.ErrInvalid},
	}
	for _, tc := range errTests {
		if _, err := s.CreateTenant(ctx, tc.in, nil); !errors.Is(err, tc.want) {
			t.Errorf("%s: CreateTenant(%q) = %v, want %v", tc.name, tc.in, err, tc.want)
		}
	}

	got, err := s.GetTenant(ctx, a.ID)
	if err != nil || got.Name != "acme" || string(got.Policy) != `{"patch":"204"}` || !got.Created.Equal(a.Created) {
		t.Errorf("GetTenant(%s) = %+v, %v, want %+v", a.ID, got, err, a)
	}
	if got, err := s.GetTenantByName(ctx, "globex"); err != nil || got.ID != b.ID {
		t.Errorf("GetTenantByName(globex) = %+v, %v, want id %s", got, err, b.ID)
	}
	if _, err := s.GetTenant(ctx, "nosuch"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetTenant(nosuch) = %v, want ErrNotFound", err)
	}
	if err := s.SetTenantPolicy(ctx, b.ID, []byte(`{"lenient":true}`)); err != nil {
		t.Errorf("SetTenantPolicy = %v", err)
	}
	if got, _ := s.GetTenant(ctx, b.ID); string(got.Policy) != `{"lenient":true}` {
		t.Errorf("policy after SetTenantPolicy = %s, want {\"lenient\":true}", got.Policy)
	}
	if err := s.SetTenantPolicy(ctx, "nosuch", nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetTenantPolicy(nosuch) = %v, want ErrNotFound", err)
	}

	list, err := s.ListTenants(ctx)
	if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Errorf("ListTenants = %+v, %v, want [acme globex]", list, err)
	}
	if err := s.DeleteTenant(ctx, a.ID); err != nil {
		t.Fatalf("DeleteTenant = %v", err)
	}
	if _, err := s.GetTenant(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetTenant after delete = %v, want ErrNotFound", err)
	}
	if err := s.DeleteTenant(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteTenant twice = %v, want ErrNotFound", err)
	}
	if _, err := s.CreateTenant(ctx, "acme", nil); err != nil {
		t.Errorf("CreateTenant(acme) after delete = %v, want the name free again", err)
	}
}

func testDeleteTenantRemovesData(t *testing.T, s store.Store) {
	e := newEnv(t, s, "doomed")
	other := newEnv(t, s, "survivor")
	u := e.mustCreate(t, e.users, user("alice"))
	e.mustCreate(t, e.groups, group("admins", id(u)))
	if _, err := s.CreateToken(context.Background(), store.Token{TenantID: e.tenant.ID, Name: "t", Hash: hash("doomed")}); err != nil {
		t.Fatalf("CreateToken = %v", err)
	}
	other.mustCreate(t, other.users, user("alice"))

	if err := s.DeleteTenant(context.Background(), e.tenant.ID); err != nil {
		t.Fatalf("DeleteTenant = %v", err)
	}
	if _, _, err := s.LookupToken(context.Background(), hash("doomed")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupToken after DeleteTenant = %v, want ErrNotFound", err)
	}
	if _, err := s.Events(context.Background(), e.tenant.ID, 0, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Events after DeleteTenant = %v, want ErrNotFound", err)
	}
	// A new tenant with the same name starts empty.
	again := newEnv(t, s, "doomed")
	page, err := again.b.List(again.ctx, again.users, listAll())
	if err != nil || page.Total != 0 {
		t.Errorf("List in recreated tenant = %d resources, %v, want 0", page.Total, err)
	}
	page, err = other.b.List(other.ctx, other.users, listAll())
	if err != nil || page.Total != 1 {
		t.Errorf("List in other tenant = %d resources, %v, want 1", page.Total, err)
	}
}

func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, _ := s.CreateTenant(ctx, "a", nil)
	b, _ := s.CreateTenant(ctx, "b", nil)
	t1, err := s.CreateToken(ctx, store.Token{TenantID: a.ID, Name: "entra", Hash: hash("s1")})
	if err != nil || t1.ID == "" || t1.Created.IsZero() {
		t.Fatalf("CreateToken = %+v, %v, want id and created", t1, err)
	}
	t2, err := s.CreateToken(ctx, store.Token{TenantID: a.ID, Name: "okta", Hash: hash("s2")})
	if err != nil {
		t.Fatalf("CreateToken = %v", err)
	}
	errTests := []struct {
		name string
		tok  store.Token
		want error
	}{
		{"unknown tenant", store.Token{TenantID: "nosuch", Hash: hash("x")}, store.ErrNotFound},
		{"no tenant", store.Token{Hash: hash("y")}, store.ErrInvalid},
		{"no hash", store.Token{TenantID: a.ID}, store.ErrInvalid},
		{"duplicate hash", store.Token{TenantID: b.ID, Hash: hash("s1")}, store.ErrExists},
	}
	for _, tc := range errTests {
		if _, err := s.CreateToken(ctx, tc.tok); !errors.Is(err, tc.want) {
			t.Errorf("%s: CreateToken = %v, want %v", tc.name, err, tc.want)
		}
	}

	tok, ten, err := s.LookupToken(ctx, hash("s1"))
	if err != nil || tok.ID != t1.ID || ten.ID != a.ID || tok.Name != "entra" || !bytes.Equal(tok.Hash, hash("s1")) {
		t.Errorf("LookupToken(s1) = %+v, %+v, %v, want token %s of tenant %s", tok, ten, err, t1.ID, a.ID)
	}
	if _, _, err := s.LookupToken(ctx, hash("unknown")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupToken(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, b.ID, t1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken(other tenant) = %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, a.ID, t1.ID); err != nil {
		t.Errorf("RevokeToken = %v", err)
	}
	if err := s.RevokeToken(ctx, a.ID, t1.ID); err != nil {
		t.Errorf("RevokeToken twice = %v, want nil", err)
	}
	if _, _, err := s.LookupToken(ctx, hash("s1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupToken(revoked) = %v, want ErrNotFound", err)
	}
	if _, _, err := s.LookupToken(ctx, hash("s2")); err != nil {
		t.Errorf("LookupToken(s2) after revoking s1 = %v, want found", err)
	}
	list, err := s.ListTokens(ctx, a.ID)
	revoked := map[string]bool{}
	for _, tok := range list {
		revoked[tok.ID] = !tok.Revoked.IsZero()
	}
	if err != nil || len(list) != 2 || !revoked[t1.ID] || revoked[t2.ID] {
		t.Errorf("ListTokens = %+v, %v, want %s revoked and %s active", list, err, t1.ID, t2.ID)
	}
	if list, err := s.ListTokens(ctx, b.ID); err != nil || len(list) != 0 {
		t.Errorf("ListTokens(b) = %+v, %v, want none", list, err)
	}
}

func testAdminTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, err := s.CreateAdminToken(ctx, store.Token{Name: "bootstrap", Hash: hash("admin")})
	if err != nil || a.ID == "" {
		t.Fatalf("CreateAdminToken = %+v, %v", a, err)
	}
	if _, err := s.CreateAdminToken(ctx, store.Token{TenantID: "x", Hash: hash("y")}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateAdminToken(with tenant) = %v, want ErrInvalid", err)
	}
	if got, err := s.LookupAdminToken(ctx, hash("admin")); err != nil || got.ID != a.ID || got.TenantID != "" {
		t.Errorf("LookupAdminToken = %+v, %v, want %s", got, err, a.ID)
	}
	// Tenant and admin tokens are separate namespaces.
	if _, _, err := s.LookupToken(ctx, hash("admin")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupToken(admin secret) = %v, want ErrNotFound", err)
	}
	if err := s.RevokeAdminToken(ctx, a.ID); err != nil {
		t.Errorf("RevokeAdminToken = %v", err)
	}
	if _, err := s.LookupAdminToken(ctx, hash("admin")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupAdminToken(revoked) = %v, want ErrNotFound", err)
	}
	if err := s.RevokeAdminToken(ctx, "nosuch"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeAdminToken(nosuch) = %v, want ErrNotFound", err)
	}
	if list, err := s.ListAdminTokens(ctx); err != nil || len(list) != 1 || list[0].Revoked.IsZero() {
		t.Errorf("ListAdminTokens = %+v, %v, want one revoked", list, err)
	}
}

func testEvents(t *testing.T, s store.Store) {
	e := newEnv(t, s, "feed")
	other := newEnv(t, s, "other")
	u := e.mustCreate(t, e.users, user("alice"))
	other.mustCreate(t, other.users, user("bob"))
	if _, err := e.b.Update(e.ctx, e.users, id(u), "", replace("displayName", "Alice"), noMembers); err != nil {
		t.Fatalf("Update = %v", err)
	}
	// A failed write records nothing.
	if _, err := e.b.Create(e.ctx, e.users, user("ALICE")); err == nil {
		t.Fatalf("Create(duplicate) succeeded")
	}
	if err := e.b.Delete(e.ctx, e.users, id(u), ""); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	evs, err := s.Events(context.Background(), e.tenant.ID, 0, 0)
	if err != nil {
		t.Fatalf("Events = %v", err)
	}
	want := []store.Op{store.OpCreate, store.OpUpdate, store.OpDelete}
	if len(evs) != len(want) {
		t.Fatalf("Events = %+v, want ops %v", evs, want)
	}
	for i, ev := range evs {
		if ev.Op != want[i] || ev.ResourceID != id(u) || ev.ResourceType != "User" || ev.TenantID != e.tenant.ID || ev.Time.IsZero() {
			t.Errorf("event %d = %+v, want %s of User %s", i, ev, want[i], id(u))
		}
		if i > 0 && ev.Seq <= evs[i-1].Seq {
			t.Errorf("event %d seq %d not after %d", i, ev.Seq, evs[i-1].Seq)
		}
	}
	after, err := s.Events(context.Background(), e.tenant.ID, evs[0].Seq, 1)
	if err != nil || len(after) != 1 || after[0].Seq != evs[1].Seq {
		t.Errorf("Events(after %d, limit 1) = %+v, %v, want [%d]", evs[0].Seq, after, err, evs[1].Seq)
	}
	if none, err := s.Events(context.Background(), e.tenant.ID, evs[2].Seq, 10); err != nil || len(none) != 0 {
		t.Errorf("Events(after last) = %+v, %v, want none", none, err)
	}
	if _, err := s.Events(context.Background(), "nosuch", 0, 10); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Events(nosuch) = %v, want ErrNotFound", err)
	}
	if oevs, err := s.Events(context.Background(), other.tenant.ID, 0, 0); err != nil || len(oevs) != 1 {
		t.Errorf("Events(other) = %+v, %v, want its one create", oevs, err)
	}
}

// testEventsConsumerMissesNothing polls the feed the way a consumer does
// (after = last seq seen) while writers run concurrently: the consumer must
// end up with exactly the full feed, in order, without gaps or repeats.
func testEventsConsumerMissesNothing(t *testing.T, s store.Store) {
	e := newEnv(t, s, "feed")
	const writers, perWriter = 8, 15
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				if _, err := e.b.Create(e.ctx, e.users, user(fmt.Sprintf("w%d-%d", w, i))); err != nil {
					t.Errorf("Create = %v", err)
					return
				}
			}
		})
	}
	seen := ConsumeFeed(t, s, e.tenant.ID, 7, &wg)
	all, err := s.Events(context.Background(), e.tenant.ID, 0, store.MaxEventLimit)
	if err != nil {
		t.Fatalf("Events = %v", err)
	}
	if len(all) != writers*perWriter || len(seen) != len(all) {
		t.Fatalf("consumer saw %d events, feed has %d, want %d", len(seen), len(all), writers*perWriter)
	}
	for i := range all {
		if seen[i].Seq != all[i].Seq || seen[i].ResourceID != all[i].ResourceID {
			t.Fatalf("consumer event %d = %+v, feed has %+v", i, seen[i], all[i])
		}
	}
}

// testPruneEvents: PruneEvents deletes the events recorded before a time,
// of every tenant; a reader whose position is below what was deleted of
// its tenant gets *EventsPrunedError (never a silent gap), a reader at or
// after it reads on, and other tenants' marks are their own.
func testPruneEvents(t *testing.T, s store.Store) {
	e := newEnv(t, s, "pruned")
	other := newEnv(t, s, "untouched")
	if n, err := s.PruneEvents(e.ctx, time.Now().Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("PruneEvents() with no events = %d, %v", n, err)
	}
	u := e.mustCreate(t, e.users, user("alice"))
	e.mustCreate(t, e.users, user("bob"))
	before, err := s.Events(e.ctx, e.tenant.ID, 0, 10)
	if err != nil || len(before) != 2 {
		t.Fatalf("Events() = %v, %v; want 2", before, err)
	}
	if n, err := s.PruneEvents(e.ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("PruneEvents(an hour ago) = %d, %v; want nothing deleted", n, err)
	}
	if n, err := s.PruneEvents(e.ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("PruneEvents(in an hour) = %d, %v; want 2", n, err)
	}
	through := before[1].Seq
	for _, after := range []int64{0, before[0].Seq} {
		_, err := s.Events(e.ctx, e.tenant.ID, after, 10)
		var pe *store.EventsPrunedError
		if !errors.As(err, &pe) || pe.Through != through {
			t.Errorf("Events(after %d) after pruning = %v, want EventsPrunedError through %d", after, err, through)
		}
	}
	if evs, err := s.Events(e.ctx, e.tenant.ID, through, 10); err != nil || len(evs) != 0 {
		t.Errorf("Events(after the pruned %d) = %v, %v; want an empty page", through, evs, err)
	}
	if _, err := e.b.Update(e.ctx, e.users, id(u), "", replace("displayName", "Alice"), noMembers); err != nil {
		t.Fatal(err)
	}
	if evs, err := s.Events(e.ctx, e.tenant.ID, through, 10); err != nil || len(evs) != 1 || evs[0].Op != store.OpUpdate {
		t.Errorf("Events(after %d) after a new change = %v, %v; want the update", through, evs, err)
	}
	other.mustCreate(t, other.users, user("carol"))
	if evs, err := s.Events(other.ctx, other.tenant.ID, 0, 10); err != nil || len(evs) != 1 {
		t.Errorf("another tenant's events = %v, %v; want its one event from the start", evs, err)
	}
}

// ConsumeFeed reads tenantID's change feed as a consumer does (after = the
// last seq seen, limit events a page) while the writers wg waits for run,
// then until the feed holds nothing more, and returns every event seen, in
// the order seen.
func ConsumeFeed(t testing.TB, s interface {
	Events(ctx context.Context, tenantID string, after int64, limit int) ([]store.Event, error)
}, tenantID string, limit int, wg *sync.WaitGroup) []store.Event {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var seen []store.Event
	var after int64
	poll := func() {
		evs, err := s.Events(context.Background(), tenantID, after, limit)
		if err != nil {
			t.Fatalf("Events = %v", err)
		}
		for _, ev := range evs {
			after = ev.Seq
			seen = append(seen, ev)
		}
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		poll()
	}
	for n := -1; n != len(seen); {
		n = len(seen)
		poll()
	}
	return seen
}
