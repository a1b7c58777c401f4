package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// RunAdmins runs the conformance suite of [store.Admins] on a directory
// store that has it: the role is granted and revoked idempotently, an
// unknown user is ErrNotFound, and the role goes with its user.
func RunAdmins(t *testing.T, open DirectoryOpener) {
	ctx := context.Background()
	d := open(t)
	a, ok := d.(store.Admins)
	if !ok {
		t.Fatalf("%T does not implement store.Admins", d)
	}
	u, err := d.CreateUser(ctx, directory.User{UserPrincipalName: "admin@example.com", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := d.CreateUser(ctx, directory.User{UserPrincipalName: "other@example.com", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(1_700_000_000_000)
	check := func(id string, want bool) {
		t.Helper()
		if got, err := a.IsAdmin(ctx, id); err != nil || got != want {
			t.Errorf("IsAdmin(%q) = %v, %v, want %v", id, got, err, want)
		}
	}
	check(u.ObjectID, false)
	for _, step := range []bool{true, true, false, false, true} {
		if err := a.SetAdmin(ctx, u.ObjectID, step, now); err != nil {
			t.Fatalf("SetAdmin(%v) = %v", step, err)
		}
		check(u.ObjectID, step)
		check(other.ObjectID, false)
	}
	if err := a.SetAdmin(ctx, "nope", true, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAdmin(unknown user) = %v, want ErrNotFound", err)
	}
	check("nope", false)
	if err := d.PurgeUser(ctx, u.ObjectID); err != nil {
		t.Fatal(err)
	}
	check(u.ObjectID, false)
	if err := a.SetAdmin(ctx, u.ObjectID, true, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAdmin(deleted user) = %v, want ErrNotFound", err)
	}
}
