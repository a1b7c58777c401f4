package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// DirectoryOpener returns a fresh, empty directory store; it registers its
// cleanup with t.
type DirectoryOpener func(t *testing.T) store.Directory

// RunDirectory runs the conformance suite of [store.Directory], each test
// on its own fresh store: users, groups with nested members, apps,
// assignments, soft and hard delete, bulk import, and the change feed
// (every write appends in its own transaction; a failed write appends
// nothing; a consumer paging by Seq never misses a change).
func RunDirectory(t *testing.T, open DirectoryOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, d store.Directory)
	}{
		{"UserCreateGet", testDirUserCreateGet},
		{"UserUpdate", testDirUserUpdate},
		{"UserSoftDeleteRestore", testDirUserSoftDelete},
		{"UserPurge", testDirUserPurge},
		{"PurgeDeletedUsers", testDirPurgeDeleted},
		{"ListUsersPaging", testDirListUsers},
		{"SearchUsers", testDirSearchUsers},
		{"Groups", testDirGroups},
		{"GroupMembers", testDirGroupMembers},
		{"DeleteGroup", testDirDeleteGroup},
		{"GroupSoftDeleteRestorePurge", testDirGroupSoftDelete},
		{"AppsAndAssignments", testDirAssignments},
		{"ImportUsers", testDirImport},
		{"SourceReads", testDirSourceReads},
		{"FailedWriteAppendsNothing", testDirFailedWrite},
		{"FeedConsumerMissesNothing", testDirFeedConsumer},
		{"PruneChanges", testDirPruneChanges},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var dctx = context.Background()

func dirUser(n int) directory.User {
	return directory.User{
		ObjectID:          uuid.NewString(),
		UserPrincipalName: fmt.Sprintf("User%d@Example.com", n),
		DisplayName:       fmt.Sprintf("User %d", n),
		Surname:           fmt.Sprintf("Number%d", n),
		AccountEnabled:    true,
	}
}

func mustDirUser(t *testing.T, d store.Directory, u directory.User) directory.User {
	t.Helper()
	out, err := d.CreateUser(dctx, u)
	if err != nil {
		t.Fatalf("CreateUser(%s) = %v", u.UserPrincipalName, err)
	}
	return out
}

func mustDirGroup(t *testing.T, d store.Directory, name string, ms ...directory.Member) directory.Group {
	t.Helper()
	g, err := d.CreateGroup(dctx, directory.Group{DisplayName: name, Members: ms})
	if err != nil {
		t.Fatalf("CreateGroup(%s) = %v", name, err)
	}
	return g
}

func mustDirApp(t *testing.T, d store.Directory, name string) directory.App {
	t.Helper()
	a, err := d.CreateApp(dctx, directory.App{Name: name})
	if err != nil {
		t.Fatalf("CreateApp(%s) = %v", name, err)
	}
	return a
}

func dirHead(t *testing.T, d store.Directory) int64 {
	t.Helper()
	h, err := d.Head(dctx)
	if err != nil {
		t.Fatalf("Head() = %v", err)
	}
	return h
}

// dirFeed returns every change after seq, checking Seq strictly increases.
func dirFeed(t *testing.T, d store.Directory, after int64) []directory.Change {
	t.Helper()
	var out []directory.Change
	for {
		page, err := d.Changes(dctx, after, 3)
		if err != nil {
			t.Fatalf("Changes(%d, 3) = %v", after, err)
		}
		if len(page) == 0 {
			return out
		}
		for _, c := range page {
			if c.Seq <= after {
				t.Fatalf("Changes(%d): seq %d does not increase", after, c.Seq)
			}
			if c.Time.IsZero() {
				t.Errorf("change %d has no time", c.Seq)
			}
			after = c.Seq
		}
		out = append(out, page...)
	}
}

// dirChange is a Change without Seq and Time, for comparisons.
type dirChange struct {
	Kind directory.Kind
	ID   string
	Op   directory.Op
	App  string
}

func dirChangesOf(cs []directory.Change) []dirChange {
	out := make([]dirChange, len(cs))
	for i, c := range cs {
		out[i] = dirChange{c.Kind, c.ObjectID, c.Op, c.AppID}
	}
	return out
}

func wantDirChanges(t *testing.T, what string, d store.Directory, after int64, want ...dirChange) {
	t.Helper()
	got := dirChangesOf(dirFeed(t, d, after))
	if !slices.Equal(got, want) {
		t.Errorf("changes after %s = %+v, want %+v", what, got, want)
	}
}

func wantDirErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}

func testDirUserCreateGet(t *testing.T, d store.Directory) {
	u := dirUser(1)
	u.Extensions = map[string]string{"extension_costCenter": "42"}
	u.Mail, u.Department, u.EmployeeID = "u1@example.com", "Sales", "E1"
	created := mustDirUser(t, d, u)
	if !sameDirUsers(created, u) {
		t.Errorf("CreateUser() = %+v, want %+v", created, u)
	}
	got, err := d.GetUser(dctx, u.ObjectID)
	if err != nil || !sameDirUsers(got, u) {
		t.Errorf("GetUser() = %+v, %v; want %+v", got, err, u)
	}
	got, err = d.GetUserByUPN(dctx, "USER1@example.COM")
	if err != nil || got.ObjectID != u.ObjectID {
		t.Errorf("GetUserByUPN(other case) = %+v, %v; want %s", got, err, u.ObjectID)
	}
	noID := dirUser(2)
	noID.ObjectID = ""
	if got := mustDirUser(t, d, noID); uuid.Validate(got.ObjectID) != nil {
		t.Errorf("CreateUser(no objectId).ObjectID = %q, want a UUID", got.ObjectID)
	}
	dupUPN := dirUser(1)
	dupUPN.UserPrincipalName = "user1@EXAMPLE.com"
	dupID := dirUser(3)
	dupID.ObjectID = u.ObjectID
	tests := []struct {
		name string
		u    directory.User
		want error
	}{
		{"upn taken in another case", dupUPN, store.ErrExists},
		{"objectId taken", dupID, store.ErrExists},
		{"empty upn", directory.User{ObjectID: uuid.NewString()}, store.ErrInvalid},
	}
	for _, tc := range tests {
		_, err := d.CreateUser(dctx, tc.u)
		wantDirErr(t, "CreateUser("+tc.name+")", err, tc.want)
	}
	_, err = d.GetUser(dctx, uuid.NewString())
	wantDirErr(t, "GetUser(unknown)", err, store.ErrNotFound)
	_, err = d.GetUserByUPN(dctx, "nobody@example.com")
	wantDirErr(t, "GetUserByUPN(unknown)", err, store.ErrNotFound)
	wantDirChanges(t, "two creates", d, 0,
		dirChange{directory.KindUser, u.ObjectID, directory.OpCreate, ""},
		dirChange{directory.KindUser, dirFeed(t, d, 0)[1].ObjectID, directory.OpCreate, ""})
}

// sameDirUsers compares users, treating nil and empty extensions alike.
func sameDirUsers(a, b directory.User) bool {
	if len(a.Extensions) == 0 && len(b.Extensions) == 0 {
		a.Extensions, b.Extensions = nil, nil
	}
	return fmt.Sprint(a) == fmt.Sprint(b) && (a.DeletedAt == nil) == (b.DeletedAt == nil)
}

func testDirUserUpdate(t *testing.T, d store.Directory) {
	u := mustDirUser(t, d, dirUser(1))
	other := mustDirUser(t, d, dirUser(2))
	h := dirHead(t, d)
	got, err := d.UpdateUser(dctx, u.ObjectID, func(x *directory.User) error {
		x.Surname, x.Department, x.Manager = "Lee", "Sales", other.ObjectID
		x.Extensions = map[string]string{"extension_a": "1"}
		x.ObjectID = "ignored"
		return nil
	})
	if err != nil || got.Surname != "Lee" || got.Department != "Sales" || got.ObjectID != u.ObjectID || got.Manager != other.ObjectID {
		t.Errorf("UpdateUser() = %+v, %v; want surname Lee, department Sales, manager %s, same objectId", got, err, other.ObjectID)
	}
	read, _ := d.GetUser(dctx, u.ObjectID)
	if !sameDirUsers(read, got) {
		t.Errorf("GetUser() after update = %+v, want %+v", read, got)
	}
	wantDirChanges(t, "an update", d, h, dirChange{directory.KindUser, u.ObjectID, directory.OpUpdate, ""})

	h = dirHead(t, d)
	if _, err := d.UpdateUser(dctx, u.ObjectID, func(x *directory.User) error { x.Surname = "Lee"; return nil }); err != nil {
		t.Fatalf("UpdateUser(no-op) = %v", err)
	}
	wantDirChanges(t, "a no-op update", d, h)

	boom := errors.New("boom")
	_, err = d.UpdateUser(dctx, u.ObjectID, func(x *directory.User) error { x.Surname = "X"; return boom })
	wantDirErr(t, "UpdateUser(fn fails)", err, boom)
	_, err = d.UpdateUser(dctx, u.ObjectID, func(x *directory.User) error { x.UserPrincipalName = "USER2@example.com"; return nil })
	wantDirErr(t, "UpdateUser(upn taken)", err, store.ErrExists)
	_, err = d.UpdateUser(dctx, uuid.NewString(), func(*directory.User) error { return nil })
	wantDirErr(t, "UpdateUser(unknown)", err, store.ErrNotFound)
	if read, _ := d.GetUser(dctx, u.ObjectID); read.Surname != "Lee" || read.UserPrincipalName != u.UserPrincipalName {
		t.Errorf("user after failed updates = %+v, want it unchanged", read)
	}
	wantDirChanges(t, "failed updates", d, h)

	got, err = d.UpdateUser(dctx, u.ObjectID, func(x *directory.User) error {
		x.UserPrincipalName, x.AccountEnabled, x.Extensions = "renamed@example.com", false, nil
		return nil
	})
	if err != nil || got.AccountEnabled || got.Extensions != nil {
		t.Errorf("UpdateUser(rename, disable) = %+v, %v", got, err)
	}
	if _, err := d.GetUserByUPN(dctx, "RENAMED@example.com"); err != nil {
		t.Errorf("GetUserByUPN(new upn) = %v", err)
	}
}

func testDirUserSoftDelete(t *testing.T, d store.Directory) {
	u := mustDirUser(t, d, dirUser(1))
	h := dirHead(t, d)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	got, err := d.SoftDeleteUser(dctx, u.ObjectID, at)
	if err != nil || got.DeletedAt == nil || !got.DeletedAt.Equal(at) {
		t.Fatalf("SoftDeleteUser() = %+v, %v; want DeletedAt %v", got, err, at)
	}
	if _, err := d.SoftDeleteUser(dctx, u.ObjectID, at.Add(time.Hour)); err != nil {
		t.Errorf("SoftDeleteUser(again) = %v", err)
	}
	if read, _ := d.GetUser(dctx, u.ObjectID); read.DeletedAt == nil || !read.DeletedAt.Equal(at) {
		t.Errorf("GetUser().DeletedAt = %v, want %v (a second delete keeps the first time)", read.DeletedAt, at)
	}
	lists := []struct {
		q    store.Deleted
		want int
	}{{store.ActiveOnly, 0}, {store.DeletedOnly, 1}, {store.AnyDeleted, 1}}
	for _, l := range lists {
		us, err := d.ListUsers(dctx, store.UserQuery{Deleted: l.q})
		if err != nil || len(us) != l.want {
			t.Errorf("ListUsers(Deleted %d) = %d users, %v; want %d", l.q, len(us), err, l.want)
		}
	}
	got, err = d.RestoreUser(dctx, u.ObjectID)
	if err != nil || got.DeletedAt != nil {
		t.Errorf("RestoreUser() = %+v, %v; want not deleted", got, err)
	}
	if _, err := d.RestoreUser(dctx, u.ObjectID); err != nil {
		t.Errorf("RestoreUser(again) = %v", err)
	}
	_, err = d.SoftDeleteUser(dctx, uuid.NewString(), at)
	wantDirErr(t, "SoftDeleteUser(unknown)", err, store.ErrNotFound)
	wantDirChanges(t, "delete, delete, restore, restore", d, h,
		dirChange{directory.KindUser, u.ObjectID, directory.OpSoftDelete, ""},
		dirChange{directory.KindUser, u.ObjectID, directory.OpRestore, ""})
}

func testDirUserPurge(t *testing.T, d store.Directory) {
	boss := mustDirUser(t, d, dirUser(1))
	w := dirUser(2)
	w.Manager = boss.ObjectID
	worker := mustDirUser(t, d, w)
	g := mustDirGroup(t, d, "Ops", directory.Member{ID: boss.ObjectID, Kind: directory.KindUser}, directory.Member{ID: worker.ObjectID, Kind: directory.KindUser})
	app := mustDirApp(t, d, "App")
	if _, err := d.Assign(dctx, directory.Assignment{AppID: app.ID, PrincipalID: boss.ObjectID, PrincipalKind: directory.KindUser}); err != nil {
		t.Fatal(err)
	}
	h := dirHead(t, d)
	if err := d.PurgeUser(dctx, boss.ObjectID); err != nil {
		t.Fatalf("PurgeUser() = %v", err)
	}
	_, err := d.GetUser(dctx, boss.ObjectID)
	wantDirErr(t, "GetUser(purged)", err, store.ErrNotFound)
	if got, _ := d.GetUser(dctx, worker.ObjectID); got.Manager != "" {
		t.Errorf("manager of a report of the purged user = %q, want cleared", got.Manager)
	}
	if got, _ := d.GetGroup(dctx, g.ObjectID); len(got.Members) != 1 || got.Members[0].ID != worker.ObjectID {
		t.Errorf("group members after purge = %+v, want only the worker", got.Members)
	}
	if as, _ := d.Assignments(dctx, app.ID); len(as) != 0 {
		t.Errorf("assignments after purge = %+v, want none", as)
	}
	wantDirChanges(t, "a purge", d, h,
		dirChange{directory.KindUser, boss.ObjectID, directory.OpHardDelete, ""},
		dirChange{directory.KindGroup, g.ObjectID, directory.OpUpdate, ""},
		dirChange{directory.KindUser, boss.ObjectID, directory.OpUnassign, app.ID},
		dirChange{directory.KindUser, worker.ObjectID, directory.OpUpdate, ""})
	wantDirErr(t, "PurgeUser(again)", d.PurgeUser(dctx, boss.ObjectID), store.ErrNotFound)
}

func testDirPurgeDeleted(t *testing.T, d store.Directory) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 4 {
		u := mustDirUser(t, d, dirUser(i))
		ids = append(ids, u.ObjectID)
	}
	// users 0 and 1 deleted long ago, 2 recently, 3 not at all
	for i, at := range []time.Time{base, base.Add(time.Hour), base.Add(40 * 24 * time.Hour)} {
		if _, err := d.SoftDeleteUser(dctx, ids[i], at); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.PurgeDeletedUsers(dctx, base.Add(30*24*time.Hour))
	want := []string{ids[0], ids[1]}
	slices.Sort(want)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("PurgeDeletedUsers() = %v, %v; want %v", got, err, want)
	}
	for i, wantGone := range []bool{true, true, false, false} {
		_, err := d.GetUser(dctx, ids[i])
		if gone := errors.Is(err, store.ErrNotFound); gone != wantGone {
			t.Errorf("user %d gone = %v, want %v", i, gone, wantGone)
		}
	}
}

func testDirListUsers(t *testing.T, d store.Directory) {
	for _, upn := range []string{"c@x", "A@x", "b@x", "d@x", "E@x"} {
		mustDirUser(t, d, directory.User{UserPrincipalName: upn, AccountEnabled: true})
	}
	var pages [][]string
	after := ""
	for range 5 {
		us, err := d.ListUsers(dctx, store.UserQuery{After: after, Limit: 2})
		if err != nil {
			t.Fatalf("ListUsers(after %q) = %v", after, err)
		}
		if len(us) == 0 {
			break
		}
		var page []string
		for _, u := range us {
			page = append(page, u.UserPrincipalName)
		}
		pages = append(pages, page)
		after = us[len(us)-1].UserPrincipalName
	}
	want := "[[A@x b@x] [c@x d@x] [E@x]]"
	if got := fmt.Sprint(pages); got != want {
		t.Errorf("ListUsers pages of 2 = %s, want %s", got, want)
	}
}

func testDirGroups(t *testing.T, d store.Directory) {
	u := mustDirUser(t, d, dirUser(1))
	inner := mustDirGroup(t, d, "Inner")
	g, err := d.CreateGroup(dctx, directory.Group{DisplayName: "Sales", Description: "d",
		Extensions: map[string]string{"extension_x": "1"},
		Members:    []directory.Member{{ID: u.ObjectID, Kind: directory.KindUser}, {ID: inner.ObjectID, Kind: directory.KindGroup}}})
	if err != nil {
		t.Fatalf("CreateGroup() = %v", err)
	}
	if len(g.Members) != 2 || uuid.Validate(g.ObjectID) != nil {
		t.Errorf("CreateGroup() = %+v, want a UUID and 2 members", g)
	}
	got, err := d.GetGroupByName(dctx, "SALES")
	if err != nil || got.ObjectID != g.ObjectID || got.Description != "d" || got.Extensions["extension_x"] != "1" || len(got.Members) != 2 {
		t.Errorf("GetGroupByName(SALES) = %+v, %v; want %+v", got, err, g)
	}
	for _, ref := range []string{g.ObjectID, "sAlEs", inner.ObjectID, "inner"} {
		want := g.ObjectID
		if ref == inner.ObjectID || ref == "inner" {
			want = inner.ObjectID
		}
		if id, err := d.GroupID(dctx, ref); err != nil || id != want {
			t.Errorf("GroupID(%s) = %q, %v; want %q", ref, id, err, want)
		}
	}
	if _, err := d.GroupID(dctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GroupID(nobody) = %v, want ErrNotFound", err)
	}
	tests := []struct {
		name string
		g    directory.Group
		want error
	}{
		{"name taken in another case", directory.Group{DisplayName: "sales"}, store.ErrExists},
		{"empty name", directory.Group{DisplayName: " "}, store.ErrInvalid},
		{"unknown member", directory.Group{DisplayName: "X", Members: []directory.Member{{ID: uuid.NewString(), Kind: directory.KindUser}}}, store.ErrNotFound},
		{"bad member kind", directory.Group{DisplayName: "Y", Members: []directory.Member{{ID: u.ObjectID, Kind: "app"}}}, store.ErrInvalid},
	}
	h := dirHead(t, d)
	for _, tc := range tests {
		_, err := d.CreateGroup(dctx, tc.g)
		wantDirErr(t, "CreateGroup("+tc.name+")", err, tc.want)
	}
	wantDirChanges(t, "failed group creates", d, h)
	if _, err := d.GetGroupByName(dctx, "X"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetGroupByName(X) after a failed create = %v, want ErrNotFound", err)
	}
	up, err := d.UpdateGroup(dctx, g.ObjectID, func(x *directory.Group) error { x.DisplayName = "Sales EU"; x.Members = nil; return nil })
	if err != nil || up.DisplayName != "Sales EU" || len(up.Members) != 2 {
		t.Errorf("UpdateGroup(rename) = %+v, %v; want renamed with members kept", up, err)
	}
	_, err = d.UpdateGroup(dctx, g.ObjectID, func(x *directory.Group) error { x.DisplayName = "INNER"; return nil })
	wantDirErr(t, "UpdateGroup(name taken)", err, store.ErrExists)
	gs, err := d.ListGroups(dctx, store.GroupQuery{})
	if err != nil || len(gs) != 2 || gs[0].DisplayName != "Inner" || len(gs[1].Members) != 2 {
		t.Errorf("ListGroups() = %+v, %v; want Inner, Sales EU with 2 members", gs, err)
	}
}

func testDirGroupMembers(t *testing.T, d store.Directory) {
	u1, u2 := mustDirUser(t, d, dirUser(1)), mustDirUser(t, d, dirUser(2))
	inner := mustDirGroup(t, d, "Inner")
	g := mustDirGroup(t, d, "Outer")
	h := dirHead(t, d)
	n, err := d.AddMembers(dctx, g.ObjectID, []directory.Member{{ID: u1.ObjectID, Kind: directory.KindUser}, {ID: inner.ObjectID, Kind: directory.KindGroup}})
	if err != nil || n != 2 {
		t.Errorf("AddMembers(u1, inner) = %d, %v; want 2", n, err)
	}
	n, err = d.AddMembers(dctx, g.ObjectID, []directory.Member{{ID: u1.ObjectID, Kind: directory.KindUser}})
	if err != nil || n != 0 {
		t.Errorf("AddMembers(u1 again) = %d, %v; want 0", n, err)
	}
	wantDirChanges(t, "adding members", d, h, dirChange{directory.KindGroup, g.ObjectID, directory.OpUpdate, ""})

	h = dirHead(t, d)
	bad := []struct {
		name string
		ms   []directory.Member
		want error
	}{
		{"unknown member after a good one", []directory.Member{{ID: u2.ObjectID, Kind: directory.KindUser}, {ID: uuid.NewString(), Kind: directory.KindUser}}, store.ErrNotFound},
		{"itself", []directory.Member{{ID: g.ObjectID, Kind: directory.KindGroup}}, store.ErrInvalid},
		{"user id as group", []directory.Member{{ID: u2.ObjectID, Kind: directory.KindGroup}}, store.ErrNotFound},
	}
	for _, tc := range bad {
		_, err := d.AddMembers(dctx, g.ObjectID, tc.ms)
		wantDirErr(t, "AddMembers("+tc.name+")", err, tc.want)
	}
	_, err = d.AddMembers(dctx, uuid.NewString(), []directory.Member{{ID: u1.ObjectID, Kind: directory.KindUser}})
	wantDirErr(t, "AddMembers(unknown group)", err, store.ErrNotFound)
	wantDirChanges(t, "failed member adds", d, h)
	if got, _ := d.GetGroup(dctx, g.ObjectID); len(got.Members) != 2 {
		t.Errorf("members after failed adds = %+v, want u1 and inner only", got.Members)
	}

	n, err = d.RemoveMembers(dctx, g.ObjectID, []string{u1.ObjectID, u2.ObjectID})
	if err != nil || n != 1 {
		t.Errorf("RemoveMembers(u1, u2) = %d, %v; want 1", n, err)
	}
	n, err = d.RemoveMembers(dctx, g.ObjectID, []string{u1.ObjectID})
	if err != nil || n != 0 {
		t.Errorf("RemoveMembers(u1 again) = %d, %v; want 0", n, err)
	}
	got, _ := d.GetGroup(dctx, g.ObjectID)
	if want := []directory.Member{{ID: inner.ObjectID, Kind: directory.KindGroup}}; !slices.Equal(got.Members, want) {
		t.Errorf("members = %+v, want %+v", got.Members, want)
	}
}

func testDirDeleteGroup(t *testing.T, d store.Directory) {
	u := mustDirUser(t, d, dirUser(1))
	inner := mustDirGroup(t, d, "Inner", directory.Member{ID: u.ObjectID, Kind: directory.KindUser})
	outer := mustDirGroup(t, d, "Outer", directory.Member{ID: inner.ObjectID, Kind: directory.KindGroup})
	app := mustDirApp(t, d, "App")
	if _, err := d.Assign(dctx, directory.Assignment{AppID: app.ID, PrincipalID: inner.ObjectID, PrincipalKind: directory.KindGroup}); err != nil {
		t.Fatal(err)
	}
	h := dirHead(t, d)
	if err := d.DeleteGroup(dctx, inner.ObjectID); err != nil {
		t.Fatalf("DeleteGroup() = %v", err)
	}
	wantDirChanges(t, "a group delete", d, h,
		dirChange{directory.KindGroup, inner.ObjectID, directory.OpHardDelete, ""},
		dirChange{directory.KindGroup, outer.ObjectID, directory.OpUpdate, ""},
		dirChange{directory.KindGroup, inner.ObjectID, directory.OpUnassign, app.ID})
	if got, _ := d.GetGroup(dctx, outer.ObjectID); len(got.Members) != 0 {
		t.Errorf("outer members after deleting inner = %+v, want none", got.Members)
	}
	if _, err := d.GetUser(dctx, u.ObjectID); err != nil {
		t.Errorf("member user after group delete: %v, want it kept", err)
	}
	wantDirErr(t, "DeleteGroup(again)", d.DeleteGroup(dctx, inner.ObjectID), store.ErrNotFound)
}

// testDirGroupSoftDelete: a soft-deleted group keeps its members and
// assignments, leaves the default group list, comes back with RestoreGroup,
// and PurgeDeletedGroups hard-deletes it once past the cutoff.
func testDirGroupSoftDelete(t *testing.T, d store.Directory) {
	u := mustDirUser(t, d, dirUser(1))
	g := mustDirGroup(t, d, "Sales", directory.Member{ID: u.ObjectID, Kind: directory.KindUser})
	app := mustDirApp(t, d, "App")
	if _, err := d.Assign(dctx, directory.Assignment{AppID: app.ID, PrincipalID: g.ObjectID, PrincipalKind: directory.KindGroup}); err != nil {
		t.Fatal(err)
	}
	h := dirHead(t, d)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	got, err := d.SoftDeleteGroup(dctx, g.ObjectID, at)
	if err != nil || got.DeletedAt == nil || !got.DeletedAt.Equal(at) || len(got.Members) != 1 {
		t.Fatalf("SoftDeleteGroup() = %+v, %v; want DeletedAt %v and its member", got, err, at)
	}
	if _, err := d.SoftDeleteGroup(dctx, g.ObjectID, at.Add(time.Hour)); err != nil {
		t.Errorf("SoftDeleteGroup(again) = %v", err)
	}
	if read, _ := d.GetGroup(dctx, g.ObjectID); read.DeletedAt == nil || !read.DeletedAt.Equal(at) || len(read.Members) != 1 {
		t.Errorf("GetGroup() = %+v, want deleted at %v with its member (a second delete keeps the first time)", read, at)
	}
	if as, _ := d.Assignments(dctx, app.ID); len(as) != 1 {
		t.Errorf("assignments of a soft-deleted group = %v, want kept", as)
	}
	for _, l := range []struct {
		q    store.Deleted
		want int
	}{{store.ActiveOnly, 0}, {store.DeletedOnly, 1}, {store.AnyDeleted, 1}} {
		if gs, err := d.ListGroups(dctx, store.GroupQuery{Deleted: l.q}); err != nil || len(gs) != l.want {
			t.Errorf("ListGroups(Deleted %d) = %d groups, %v; want %d", l.q, len(gs), err, l.want)
		}
	}
	if got, err = d.RestoreGroup(dctx, g.ObjectID); err != nil || got.DeletedAt != nil {
		t.Errorf("RestoreGroup() = %+v, %v; want not deleted", got, err)
	}
	if _, err := d.RestoreGroup(dctx, g.ObjectID); err != nil {
		t.Errorf("RestoreGroup(again) = %v", err)
	}
	_, err = d.SoftDeleteGroup(dctx, uuid.NewString(), at)
	wantDirErr(t, "SoftDeleteGroup(unknown)", err, store.ErrNotFound)
	wantDirChanges(t, "delete, delete, restore, restore", d, h,
		dirChange{directory.KindGroup, g.ObjectID, directory.OpSoftDelete, ""},
		dirChange{directory.KindGroup, g.ObjectID, directory.OpRestore, ""})

	if _, err := d.SoftDeleteGroup(dctx, g.ObjectID, at); err != nil {
		t.Fatal(err)
	}
	if ids, err := d.PurgeDeletedGroups(dctx, at); err != nil || len(ids) != 0 {
		t.Errorf("PurgeDeletedGroups(at the deletion time) = %v, %v; want none", ids, err)
	}
	if ids, err := d.PurgeDeletedGroups(dctx, at.Add(time.Second)); err != nil || len(ids) != 1 || ids[0] != g.ObjectID {
		t.Errorf("PurgeDeletedGroups(after) = %v, %v; want [%s]", ids, err, g.ObjectID)
	}
	_, err = d.GetGroup(dctx, g.ObjectID)
	wantDirErr(t, "GetGroup(purged)", err, store.ErrNotFound)
	if as, _ := d.Assignments(dctx, app.ID); len(as) != 0 {
		t.Errorf("assignments of a purged group = %v, want none", as)
	}
}

func testDirAssignments(t *testing.T, d store.Directory) {
	u := mustDirUser(t, d, dirUser(1))
	g := mustDirGroup(t, d, "Ops")
	app := mustDirApp(t, d, "Uni-tel")
	_, err := d.CreateApp(dctx, directory.App{Name: "UNI-TEL"})
	wantDirErr(t, "CreateApp(name taken)", err, store.ErrExists)
	for _, ref := range []string{app.ID, "uni-tel"} {
		if got, err := d.GetApp(dctx, ref); err != nil || got != app {
			t.Errorf("GetApp(%q) = %+v, %v; want %+v", ref, got, err, app)
		}
	}
	h := dirHead(t, d)
	steps := []struct {
		name string
		a    directory.Assignment
		want bool
	}{
		{"user", directory.Assignment{AppID: app.ID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser}, true},
		{"user again", directory.Assignment{AppID: app.ID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser}, false},
		{"user with a role", directory.Assignment{AppID: app.ID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser, AppRoleID: "admin"}, true},
		{"group", directory.Assignment{AppID: app.ID, PrincipalID: g.ObjectID, PrincipalKind: directory.KindGroup}, true},
	}
	for _, s := range steps {
		if got, err := d.Assign(dctx, s.a); err != nil || got != s.want {
			t.Errorf("Assign(%s) = %v, %v; want %v", s.name, got, err, s.want)
		}
	}
	as, err := d.Assignments(dctx, app.ID)
	want := []directory.Assignment{
		{AppID: app.ID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser, AppRoleID: "admin"},
		{AppID: app.ID, PrincipalID: g.ObjectID, PrincipalKind: directory.KindGroup},
	}
	slices.SortFunc(want, func(a, b directory.Assignment) int { return strings.Compare(a.PrincipalID, b.PrincipalID) })
	if err != nil || !slices.Equal(as, want) {
		t.Errorf("Assignments() = %+v, %v; want %+v", as, err, want)
	}
	if pa, err := d.PrincipalAssignments(dctx, g.ObjectID); err != nil || len(pa) != 1 || pa[0].AppID != app.ID {
		t.Errorf("PrincipalAssignments(group) = %+v, %v", pa, err)
	}
	bad := []struct {
		name string
		a    directory.Assignment
		want error
	}{
		{"unknown app", directory.Assignment{AppID: uuid.NewString(), PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser}, store.ErrNotFound},
		{"unknown user", directory.Assignment{AppID: app.ID, PrincipalID: uuid.NewString(), PrincipalKind: directory.KindUser}, store.ErrNotFound},
		{"group id as user", directory.Assignment{AppID: app.ID, PrincipalID: g.ObjectID, PrincipalKind: directory.KindUser}, store.ErrNotFound},
		{"bad kind", directory.Assignment{AppID: app.ID, PrincipalID: u.ObjectID, PrincipalKind: "app"}, store.ErrInvalid},
	}
	for _, b := range bad {
		_, err := d.Assign(dctx, b.a)
		wantDirErr(t, "Assign("+b.name+")", err, b.want)
	}
	if had, err := d.Unassign(dctx, app.ID, u.ObjectID); err != nil || !had {
		t.Errorf("Unassign(user) = %v, %v; want true", had, err)
	}
	if had, err := d.Unassign(dctx, app.ID, u.ObjectID); err != nil || had {
		t.Errorf("Unassign(user again) = %v, %v; want false", had, err)
	}
	wantDirChanges(t, "assignments", d, h,
		dirChange{directory.KindUser, u.ObjectID, directory.OpAssign, app.ID},
		dirChange{directory.KindUser, u.ObjectID, directory.OpAssign, app.ID},
		dirChange{directory.KindGroup, g.ObjectID, directory.OpAssign, app.ID},
		dirChange{directory.KindUser, u.ObjectID, directory.OpUnassign, app.ID})
	h = dirHead(t, d)
	if err := d.DeleteApp(dctx, app.ID); err != nil {
		t.Fatalf("DeleteApp() = %v", err)
	}
	wantDirChanges(t, "an app delete", d, h,
		dirChange{directory.KindGroup, g.ObjectID, directory.OpUnassign, app.ID},
		dirChange{directory.KindApp, app.ID, directory.OpHardDelete, ""})
	if apps, err := d.ListApps(dctx); err != nil || len(apps) != 0 {
		t.Errorf("ListApps() after delete = %+v, %v; want none", apps, err)
	}
}

func testDirImport(t *testing.T, d store.Directory) {
	existing := mustDirUser(t, d, dirUser(0))
	h := dirHead(t, d)
	batch := []directory.User{dirUser(1), dirUser(0), dirUser(2), {ObjectID: uuid.NewString()}, dirUser(1), dirUser(3)}
	batch[1].ObjectID = uuid.NewString()       // UPN of the existing user
	batch[4].ObjectID = batch[0].ObjectID      // objectId taken in the same batch
	batch[4].UserPrincipalName = "fresh@x.org" // (with a fresh UPN)
	errs, err := d.ImportUsers(dctx, batch)
	if err != nil {
		t.Fatalf("ImportUsers() = %v", err)
	}
	wantErrs := []error{nil, store.ErrExists, nil, store.ErrInvalid, store.ErrExists, nil}
	if len(errs) != len(wantErrs) {
		t.Fatalf("ImportUsers() returned %d errors, want %d", len(errs), len(wantErrs))
	}
	var wantFeed []dirChange
	for i, w := range wantErrs {
		if (w == nil) != (errs[i] == nil) || (w != nil && !errors.Is(errs[i], w)) {
			t.Errorf("ImportUsers() error %d = %v, want %v", i, errs[i], w)
		}
		if w == nil {
			wantFeed = append(wantFeed, dirChange{directory.KindUser, batch[i].ObjectID, directory.OpCreate, ""})
		}
	}
	wantDirChanges(t, "an import", d, h, wantFeed...)
	if got, _ := d.GetUserByUPN(dctx, existing.UserPrincipalName); got.ObjectID != existing.ObjectID {
		t.Errorf("existing user replaced by an import: %+v", got)
	}
	if _, err := d.GetUserByUPN(dctx, "fresh@x.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetUserByUPN(rejected row) = %v, want ErrNotFound", err)
	}
}

func testDirSourceReads(t *testing.T, d store.Directory) {
	const n = 1203 // more than one page of AllUsers
	users := make([]directory.User, n)
	for i := range users {
		users[i] = dirUser(i)
	}
	if errs, err := d.ImportUsers(dctx, users); err != nil || slices.ContainsFunc(errs, func(e error) bool { return e != nil }) {
		t.Fatalf("ImportUsers(%d) = %v, %v", n, errs, err)
	}
	if _, err := d.SoftDeleteUser(dctx, users[5].ObjectID, time.Now()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err := d.AllUsers(dctx, func(u *directory.User) error {
		if seen[u.ObjectID] {
			return fmt.Errorf("user %s twice", u.ObjectID)
		}
		seen[u.ObjectID] = true
		return nil
	})
	if err != nil || len(seen) != n {
		t.Errorf("AllUsers() saw %d users, %v; want %d", len(seen), err, n)
	}
	stop := errors.New("stop")
	calls := 0
	err = d.AllUsers(dctx, func(*directory.User) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("AllUsers(fn fails) = %v after %d calls, want stop after 1", err, calls)
	}
	ids := []string{users[5].ObjectID, uuid.NewString(), users[7].ObjectID}
	got, err := d.Users(dctx, ids)
	if err != nil || len(got) != 2 {
		t.Fatalf("Users(2 known, 1 unknown) = %d users, %v; want 2", len(got), err)
	}
	for _, u := range got {
		if u.ObjectID == users[5].ObjectID && !u.SoftDeleted() {
			t.Errorf("Users() lost the soft deletion of %s", u.ObjectID)
		}
	}
	many := make([]string, n)
	for i, u := range users {
		many[i] = u.ObjectID
	}
	if got, err := d.Users(dctx, many); err != nil || len(got) != n {
		t.Errorf("Users(%d ids) = %d users, %v", n, len(got), err)
	}
	inner := mustDirGroup(t, d, "Inner", directory.Member{ID: users[1].ObjectID, Kind: directory.KindUser})
	outer := mustDirGroup(t, d, "Outer", directory.Member{ID: inner.ObjectID, Kind: directory.KindGroup}, directory.Member{ID: users[2].ObjectID, Kind: directory.KindUser})
	gs, err := d.Groups(dctx, []string{outer.ObjectID, uuid.NewString()})
	if err != nil || len(gs) != 1 || len(gs[0].Members) != 2 {
		t.Errorf("Groups(outer, unknown) = %+v, %v; want outer with 2 members", gs, err)
	}
	count := 0
	err = d.AllGroups(dctx, func(g *directory.Group) error {
		count++
		if g.ObjectID == inner.ObjectID && (len(g.Members) != 1 || g.Members[0].ID != users[1].ObjectID) {
			t.Errorf("AllGroups(): inner members = %+v", g.Members)
		}
		return nil
	})
	if err != nil || count != 2 {
		t.Errorf("AllGroups() saw %d groups, %v; want 2", count, err)
	}
	if _, err := d.SoftDeleteGroup(dctx, inner.ObjectID, time.Now()); err != nil {
		t.Fatal(err)
	}
	named, err := d.GroupsNamed(dctx, []string{"OUTER", "inner", "Nobody"})
	names := map[string]bool{}
	for _, g := range named {
		names[g.DisplayName] = true
		if g.ObjectID == outer.ObjectID && len(g.Members) != 2 {
			t.Errorf("GroupsNamed(): outer members = %+v, want 2", g.Members)
		}
	}
	if err != nil || len(named) != 2 || !names["Inner"] || !names["Outer"] {
		t.Errorf("GroupsNamed(OUTER, inner (soft-deleted), Nobody) = %d groups %v, %v; want Inner and Outer", len(named), names, err)
	}
	if page, err := d.Changes(dctx, 0, 0); err != nil || len(page) != 0 {
		t.Errorf("Changes(0, limit 0) = %d changes, %v; want none", len(page), err)
	}
	if page, err := d.Changes(dctx, 0, 10); err != nil || len(page) != 10 {
		t.Errorf("Changes(0, limit 10) = %d changes, %v; want 10", len(page), err)
	}
}

func testDirFailedWrite(t *testing.T, d store.Directory) {
	u := mustDirUser(t, d, dirUser(1))
	g := mustDirGroup(t, d, "G")
	h := dirHead(t, d)
	cancelled, cancel := context.WithCancel(dctx)
	cancel()
	if _, err := d.CreateUser(cancelled, dirUser(2)); err == nil {
		t.Errorf("CreateUser(cancelled ctx) = nil, want an error")
	}
	_, err := d.CreateGroup(dctx, directory.Group{DisplayName: "H", Members: []directory.Member{
		{ID: u.ObjectID, Kind: directory.KindUser}, {ID: uuid.NewString(), Kind: directory.KindGroup}}})
	wantDirErr(t, "CreateGroup(one unknown member)", err, store.ErrNotFound)
	_, err = d.Assign(dctx, directory.Assignment{AppID: "nope", PrincipalID: g.ObjectID, PrincipalKind: directory.KindGroup})
	wantDirErr(t, "Assign(unknown app)", err, store.ErrNotFound)
	if got := dirHead(t, d); got != h {
		t.Errorf("Head() after failed writes = %d, want %d", got, h)
	}
	if _, err := d.GetUserByUPN(dctx, dirUser(2).UserPrincipalName); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("user of a cancelled create exists: %v", err)
	}
}

// testDirFeedConsumer runs writers and a consumer paging by
// Seq at once; the consumer must see every change exactly once.
func testDirFeedConsumer(t *testing.T, d store.Directory) {
	const writers, perWriter = 4, 25
	g := mustDirGroup(t, d, "G")
	start := dirHead(t, d)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				u, err := d.CreateUser(dctx, dirUser(w*1000+i))
				if err != nil {
					t.Errorf("CreateUser() = %v", err)
					return
				}
				if _, err := d.AddMembers(dctx, g.ObjectID, []directory.Member{{ID: u.ObjectID, Kind: directory.KindUser}}); err != nil {
					t.Errorf("AddMembers() = %v", err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[int64]bool{}
	after := start
	consume := func() {
		h, err := d.Head(dctx)
		if err != nil {
			t.Fatalf("Head() = %v", err)
		}
		for after < h {
			page, err := d.Changes(dctx, after, 7)
			if err != nil {
				t.Fatalf("Changes() = %v", err)
			}
			for _, c := range page {
				if c.Seq <= after || seen[c.Seq] {
					t.Fatalf("Changes(%d) returned seq %d again or out of order", after, c.Seq)
				}
				seen[c.Seq] = true
				after = c.Seq
			}
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		consume()
	}
	consume()
	if want := 2 * writers * perWriter; len(seen) != want {
		t.Errorf("consumer saw %d changes, want %d", len(seen), want)
	}
	if all := dirFeed(t, d, start); len(all) != len(seen) {
		t.Errorf("feed holds %d changes, consumer saw %d", len(all), len(seen))
	}
}

// testDirPruneChanges: PruneChanges deletes the changes recorded before a
// time but never the latest, so Head stays; PrunedThrough tells how far
// the feed was pruned, and only grows.
func testDirPruneChanges(t *testing.T, d store.Directory) {
	if through, err := d.PrunedThrough(dctx); err != nil || through != 0 {
		t.Fatalf("PrunedThrough() of a new feed = %d, %v; want 0", through, err)
	}
	if n, err := d.PruneChanges(dctx, time.Now().Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("PruneChanges() of an empty feed = %d, %v; want 0", n, err)
	}
	for i := range 3 {
		if _, err := d.CreateUser(dctx, dirUser(i)); err != nil {
			t.Fatal(err)
		}
	}
	head := dirHead(t, d)
	if n, err := d.PruneChanges(dctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("PruneChanges(an hour ago) = %d, %v; want nothing deleted", n, err)
	}
	n, err := d.PruneChanges(dctx, time.Now().Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneChanges(in an hour) = %d, %v; want 2 (all but the latest)", n, err)
	}
	if h := dirHead(t, d); h != head {
		t.Errorf("Head() after pruning = %d, want %d", h, head)
	}
	if through, err := d.PrunedThrough(dctx); err != nil || through != head-1 {
		t.Errorf("PrunedThrough() = %d, %v; want %d", through, err, head-1)
	}
	if cs, err := d.Changes(dctx, 0, 10); err != nil || len(cs) != 1 || cs[0].Seq != head {
		t.Errorf("Changes(0) after pruning = %v, %v; want only the latest (%d)", cs, err, head)
	}
	if _, err := d.CreateUser(dctx, dirUser(3)); err != nil {
		t.Fatal(err)
	}
	if n, err := d.PruneChanges(dctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("second PruneChanges() = %d, %v; want 1", n, err)
	}
	if through, _ := d.PrunedThrough(dctx); through != head {
		t.Errorf("PrunedThrough() after a second prune = %d, want %d", through, head)
	}
}
