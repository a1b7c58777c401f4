package dirsvc_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
)

var ctx = context.Background()

// clock is a settable time source.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// openStore is a fresh SQLite store, closed when the test ends.
func openStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "dir.db"), nil)
	if err != nil {
		t.Fatalf("sqlstore.Open() = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newSSOService is a service that keeps SSO clients, with the
// application "Portal", and its store.
func newSSOService(t testing.TB) (*dirsvc.Service, *sqlstore.Store) {
	t.Helper()
	st := openStore(t)
	s := dirsvc.New(st.Directory(), dirsvc.Options{SSO: st.OIDC()})
	if _, err := s.CreateApp(ctx, "Portal"); err != nil {
		t.Fatal(err)
	}
	return s, st
}

func newService(t testing.TB) (*dirsvc.Service, *clock) {
	t.Helper()
	st := openStore(t)
	c := &clock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return dirsvc.New(st.Directory(), dirsvc.Options{Now: c.now}), c
}

func mustCreate(t *testing.T, s *dirsvc.Service, upn string) directory.User {
	t.Helper()
	u, err := s.CreateUser(ctx, directory.User{UserPrincipalName: upn, AccountEnabled: true})
	if err != nil {
		t.Fatalf("CreateUser(%s) = %v", upn, err)
	}
	return u
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}

func TestCreateUserValidates(t *testing.T) {
	s, _ := newService(t)
	boss := mustCreate(t, s, "boss@example.com")
	tests := []struct {
		name string
		u    directory.User
		want error
	}{
		{"bad upn", directory.User{UserPrincipalName: "nobody"}, dirsvc.ErrInvalid},
		{"objectId not a UUID", directory.User{UserPrincipalName: "a@x", ObjectID: "42"}, dirsvc.ErrInvalid},
		{"unknown manager", directory.User{UserPrincipalName: "a@x", Manager: "ghost@example.com"}, dirsvc.ErrNotFound},
		{"upn taken", directory.User{UserPrincipalName: "BOSS@example.com"}, dirsvc.ErrExists},
	}
	for _, tc := range tests {
		_, err := s.CreateUser(ctx, tc.u)
		wantErr(t, "CreateUser("+tc.name+")", err, tc.want)
	}
	u, err := s.CreateUser(ctx, directory.User{UserPrincipalName: "w@example.com", Manager: "boss@example.com"})
	if err != nil || u.Manager != boss.ObjectID {
		t.Errorf("CreateUser(manager by UPN) = %+v, %v; want manager %s", u, err, boss.ObjectID)
	}
}

func TestUserLifecycle(t *testing.T) {
	s, clk := newService(t)
	boss := mustCreate(t, s, "boss@example.com")
	u := mustCreate(t, s, "bo@example.com")
	for _, ref := range []string{"bo@example.com", "BO@Example.com", u.ObjectID} {
		if got, err := s.GetUser(ctx, ref); err != nil || got.ObjectID != u.ObjectID {
			t.Errorf("GetUser(%q) = %+v, %v; want %s", ref, got, err, u.ObjectID)
		}
	}
	got, err := s.UpdateUser(ctx, "bo@example.com", map[string]any{
		"surname": "Lee", "department": "Sales", "extension_costCenter": "42", "manager": "boss@example.com"})
	if err != nil || got.Surname != "Lee" || got.Department != "Sales" || got.Extensions["extension_costCenter"] != "42" || got.Manager != boss.ObjectID {
		t.Errorf("UpdateUser() = %+v, %v", got, err)
	}
	bad := []struct {
		name string
		set  map[string]any
		want error
	}{
		{"unknown attribute", map[string]any{"colour": "x"}, dirsvc.ErrInvalid},
		{"objectId", map[string]any{"objectId": "x"}, dirsvc.ErrInvalid},
		{"bad upn", map[string]any{"userPrincipalName": "nope"}, dirsvc.ErrInvalid},
		{"upn taken", map[string]any{"userPrincipalName": "boss@example.com"}, dirsvc.ErrExists},
		{"self as manager", map[string]any{"manager": "bo@example.com"}, dirsvc.ErrInvalid},
	}
	for _, tc := range bad {
		_, err := s.UpdateUser(ctx, "bo@example.com", tc.set)
		wantErr(t, "UpdateUser("+tc.name+")", err, tc.want)
	}
	_, err = s.UpdateUser(ctx, "ghost@example.com", map[string]any{"surname": "x"})
	wantErr(t, "UpdateUser(unknown user)", err, dirsvc.ErrNotFound)

	if got, err := s.DisableUser(ctx, u.ObjectID); err != nil || got.AccountEnabled {
		t.Errorf("DisableUser() = %+v, %v; want disabled", got, err)
	}
	if got, err := s.EnableUser(ctx, "bo@example.com"); err != nil || !got.AccountEnabled {
		t.Errorf("EnableUser() = %+v, %v; want enabled", got, err)
	}
	if got, err := s.DeleteUser(ctx, "bo@example.com"); err != nil || !got.SoftDeleted() {
		t.Errorf("DeleteUser() = %+v, %v; want soft-deleted", got, err)
	}
	if got, err := s.GetUser(ctx, "bo@example.com"); err != nil || !got.SoftDeleted() {
		t.Errorf("GetUser(soft-deleted) = %+v, %v; want it, soft-deleted", got, err)
	}
	if got, err := s.RestoreUser(ctx, "bo@example.com"); err != nil || got.SoftDeleted() {
		t.Errorf("RestoreUser() = %+v, %v; want restored", got, err)
	}
	if err := s.PurgeUser(ctx, "boss@example.com"); err != nil {
		t.Fatalf("PurgeUser() = %v", err)
	}
	if got, _ := s.GetUser(ctx, u.ObjectID); got.Manager != "" {
		t.Errorf("manager after purging the boss = %q, want none", got.Manager)
	}
	_, err = s.GetUser(ctx, "boss@example.com")
	wantErr(t, "GetUser(purged)", err, dirsvc.ErrNotFound)

	// Retention: purged only once older than 30 days.
	if _, err := s.DeleteUser(ctx, "bo@example.com"); err != nil {
		t.Fatal(err)
	}
	clk.advance(29 * 24 * time.Hour)
	if ids, err := s.PurgeExpired(ctx); err != nil || len(ids) != 0 {
		t.Errorf("PurgeExpired() after 29 days = %v, %v; want nothing", ids, err)
	}
	clk.advance(2 * 24 * time.Hour)
	if ids, err := s.PurgeExpired(ctx); err != nil || !slices.Equal(ids, []string{u.ObjectID}) {
		t.Errorf("PurgeExpired() after 31 days = %v, %v; want [%s]", ids, err, u.ObjectID)
	}
}

func TestGroupsAndAssignments(t *testing.T) {
	s, _ := newService(t)
	u1, u2 := mustCreate(t, s, "u1@example.com"), mustCreate(t, s, "u2@example.com")
	if _, err := s.CreateGroup(ctx, directory.Group{DisplayName: " "}); !errors.Is(err, dirsvc.ErrInvalid) {
		t.Errorf("CreateGroup(blank) = %v, want ErrInvalid", err)
	}
	inner, err := s.CreateGroup(ctx, directory.Group{DisplayName: "Inner"})
	if err != nil {
		t.Fatal(err)
	}
	outer, err := s.CreateGroup(ctx, directory.Group{DisplayName: "Outer"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.AddMembers(ctx, "outer", []string{"u1@example.com", u2.ObjectID, "Inner", " "})
	if err != nil || n != 3 {
		t.Errorf("AddMembers(by UPN, objectId, group name) = %d, %v; want 3", n, err)
	}
	_, err = s.AddMembers(ctx, "Inner", []string{"u1@example.com", "ghost@example.com"})
	wantErr(t, "AddMembers(one unknown)", err, dirsvc.ErrNotFound)
	if g, _ := s.GetGroup(ctx, "Inner"); len(g.Members) != 0 {
		t.Errorf("Inner members after a failed add = %+v, want none", g.Members)
	}
	g, err := s.GetGroup(ctx, outer.ObjectID)
	want := []directory.Member{{ID: u1.ObjectID, Kind: directory.KindUser}, {ID: u2.ObjectID, Kind: directory.KindUser}, {ID: inner.ObjectID, Kind: directory.KindGroup}}
	slices.SortFunc(want, func(a, b directory.Member) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	if err != nil || !slices.Equal(g.Members, want) {
		t.Errorf("GetGroup(outer).Members = %+v, %v; want %+v", g.Members, err, want)
	}
	if n, err := s.RemoveMembers(ctx, "Outer", []string{"u2@example.com"}); err != nil || n != 1 {
		t.Errorf("RemoveMembers(u2) = %d, %v; want 1", n, err)
	}

	app, err := s.CreateApp(ctx, "Uni-tel")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateApp(ctx, "uni-tel"); !errors.Is(err, dirsvc.ErrExists) {
		t.Errorf("CreateApp(taken) = %v, want ErrExists", err)
	}
	if _, err := s.AssignUser(ctx, "Uni-tel", "u1@example.com", "admin"); err != nil {
		t.Errorf("AssignUser() = %v", err)
	}
	if _, err := s.AssignGroup(ctx, app.ID, "Outer", ""); err != nil {
		t.Errorf("AssignGroup() = %v", err)
	}
	as, err := s.Assignments(ctx, "uni-tel")
	if err != nil || len(as) != 2 {
		t.Errorf("Assignments() = %+v, %v; want 2", as, err)
	}
	_, err = s.AssignGroup(ctx, "Uni-tel", "u1@example.com", "")
	wantErr(t, "AssignGroup(a user)", err, dirsvc.ErrNotFound)
	if err := s.UnassignUser(ctx, "Uni-tel", "u1@example.com"); err != nil {
		t.Errorf("UnassignUser() = %v", err)
	}
	wantErr(t, "UnassignUser(again)", s.UnassignUser(ctx, "Uni-tel", "u1@example.com"), dirsvc.ErrNotFound)
	g, err = s.DeleteGroup(ctx, "Outer")
	if err != nil || g.DeletedAt == nil {
		t.Errorf("DeleteGroup() = %+v, %v; want a soft-deleted group", g, err)
	}
	if as, _ := s.Assignments(ctx, app.ID); len(as) != 1 {
		t.Errorf("Assignments() after soft-deleting the group = %+v, want its assignment kept", as)
	}
	if g, err := s.RestoreGroup(ctx, "Outer"); err != nil || g.DeletedAt != nil {
		t.Errorf("RestoreGroup() = %+v, %v; want restored", g, err)
	}
	if err := s.PurgeGroup(ctx, "Outer"); err != nil {
		t.Errorf("PurgeGroup() = %v", err)
	}
	if as, _ := s.Assignments(ctx, app.ID); len(as) != 0 {
		t.Errorf("Assignments() after purging the group = %+v, want none", as)
	}
	cs, err := s.Changes(ctx, 0, 1000)
	if err != nil || len(cs) < 2 {
		t.Fatalf("Changes() = %d changes, %v", len(cs), err)
	}
	if del, un := cs[len(cs)-2], cs[len(cs)-1]; del.Op != directory.OpHardDelete || del.ObjectID != outer.ObjectID ||
		un.Op != directory.OpUnassign || un.ObjectID != outer.ObjectID || un.AppID != app.ID {
		t.Errorf("Changes() end with %+v, %+v; want the hard delete of Outer, then its unassignment", del, un)
	}
	if err := s.DeleteApp(ctx, "Uni-tel"); err != nil {
		t.Errorf("DeleteApp() = %v", err)
	}
	if apps, _ := s.ListApps(ctx); len(apps) != 0 {
		t.Errorf("ListApps() after delete = %+v", apps)
	}
}

func TestRunRetention(t *testing.T) {
	s, clk := newService(t)
	u := mustCreate(t, s, "old@example.com")
	if _, err := s.DeleteUser(ctx, u.ObjectID); err != nil {
		t.Fatal(err)
	}
	clk.advance(dirsvc.DefaultRetention + time.Second)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.RunRetention(rctx, time.Hour) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := s.GetUser(ctx, u.ObjectID); errors.Is(err, dirsvc.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("RunRetention did not purge an expired user within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RunRetention() = %v, want context.Canceled", err)
	}
}
