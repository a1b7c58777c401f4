package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// RunPasswords runs the conformance suite of [store.Passwords] on a
// directory store that has it: password hashes replace each other and go
// with their user; an invite is redeemed once, never after it expired.
func RunPasswords(t *testing.T, open DirectoryOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, d store.Directory, p store.Passwords)
	}{
		{"PasswordHash", testPasswordHash},
		{"Invites", testInvites},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t)
			p, ok := d.(store.Passwords)
			if !ok {
				t.Fatalf("%T does not implement store.Passwords", d)
			}
			tc.fn(t, d, p)
		})
	}
}

func testPasswordHash(t *testing.T, d store.Directory, p store.Passwords) {
	ctx := context.Background()
	u, err := d.CreateUser(ctx, directory.User{UserPrincipalName: "pw@example.com", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := d.Head(ctx)
	if _, err := p.PasswordHash(ctx, u.ObjectID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PasswordHash(no password) = %v, want ErrNotFound", err)
	}
	for _, h := range []string{"hash-1", "hash-2"} {
		if err := p.SetPasswordHash(ctx, u.ObjectID, h); err != nil {
			t.Fatalf("SetPasswordHash(%q) = %v", h, err)
		}
		if got, err := p.PasswordHash(ctx, u.ObjectID); err != nil || got != h {
			t.Errorf("PasswordHash() = %q, %v, want %q", got, err, h)
		}
	}
	if h, _ := d.Head(ctx); h != head {
		t.Errorf("Head() after SetPasswordHash = %d, want %d (no change appended)", h, head)
	}
	if err := p.SetPasswordHash(ctx, "no-such-user", "h"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPasswordHash(unknown user) = %v, want ErrNotFound", err)
	}
	if err := p.SetPasswordHash(ctx, u.ObjectID, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SetPasswordHash(empty) = %v, want ErrInvalid", err)
	}
	if err := d.PurgeUser(ctx, u.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateUser(ctx, directory.User{ObjectID: u.ObjectID, UserPrincipalName: "pw@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PasswordHash(ctx, u.ObjectID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PasswordHash(purged and recreated) = %v, want ErrNotFound", err)
	}
}

func testInvites(t *testing.T, d store.Directory, p store.Passwords) {
	ctx := context.Background()
	u, err := d.CreateUser(ctx, directory.User{UserPrincipalName: "inv@example.com", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	inv := store.Invite{TokenHash: "t1", UserID: u.ObjectID, Created: now, Expires: now.Add(time.Hour)}
	if err := p.CreateInvite(ctx, inv); err != nil {
		t.Fatalf("CreateInvite() = %v", err)
	}
	if err := p.CreateInvite(ctx, inv); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateInvite(same token) = %v, want ErrExists", err)
	}
	if err := p.CreateInvite(ctx, store.Invite{TokenHash: "t9", UserID: "no-such-user", Created: now, Expires: now.Add(time.Hour)}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateInvite(unknown user) = %v, want ErrNotFound", err)
	}
	if err := p.CreateInvite(ctx, store.Invite{TokenHash: "t2", UserID: u.ObjectID, Created: now, Expires: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RedeemInvite(ctx, "t2", now.Add(2*time.Minute), "h2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RedeemInvite(expired) = %v, want ErrNotFound", err)
	}
	if _, err := p.RedeemInvite(ctx, "nope", now, "h"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RedeemInvite(unknown) = %v, want ErrNotFound", err)
	}
	got, err := p.RedeemInvite(ctx, "t1", now, "h1")
	if err != nil || got != u.ObjectID {
		t.Fatalf("RedeemInvite() = %q, %v, want %q", got, err, u.ObjectID)
	}
	if h, err := p.PasswordHash(ctx, u.ObjectID); err != nil || h != "h1" {
		t.Errorf("PasswordHash() after redeem = %q, %v, want h1", h, err)
	}
	if _, err := p.RedeemInvite(ctx, "t1", now, "h3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RedeemInvite(again) = %v, want ErrNotFound", err)
	}
	if err := p.CreateInvite(ctx, store.Invite{TokenHash: "t3", UserID: u.ObjectID, Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := d.PurgeUser(ctx, u.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RedeemInvite(ctx, "t3", now, "h"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RedeemInvite(purged user) = %v, want ErrNotFound", err)
	}
}
