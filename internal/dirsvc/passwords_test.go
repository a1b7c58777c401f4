package dirsvc_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/dirsvc"
)

const goodPassword = "correct horse battery"

func TestSetPasswordLength(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, "len@example.com")
	tests := []struct {
		name    string
		pw      string
		wantErr error
	}{
		{"too short", strings.Repeat("x", dirsvc.MinPasswordLength-1), dirsvc.ErrInvalid},
		{"shortest", strings.Repeat("x", dirsvc.MinPasswordLength), nil},
		{"code points counted", strings.Repeat("æ", dirsvc.MinPasswordLength), nil},
		{"longest", strings.Repeat("x", dirsvc.MaxPasswordLength), nil},
		{"too long", strings.Repeat("x", dirsvc.MaxPasswordLength+1), dirsvc.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.SetPassword(ctx, "len@example.com", tc.pw)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("SetPassword(%d chars) = %v, want %v", len([]rune(tc.pw)), err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tc.pw) {
				t.Errorf("SetPassword() error %q holds the password", err)
			}
		})
	}
	if err := s.SetPassword(ctx, "nobody@example.com", goodPassword); !errors.Is(err, dirsvc.ErrNotFound) {
		t.Errorf("SetPassword(unknown user) = %v, want ErrNotFound", err)
	}
}

func TestVerifyPassword(t *testing.T) {
	s, _ := newService(t)
	for _, upn := range []string{"ok@example.com", "off@example.com", "gone@example.com"} {
		mustCreate(t, s, upn)
		if err := s.SetPassword(ctx, upn, goodPassword); err != nil {
			t.Fatal(err)
		}
	}
	mustCreate(t, s, "nopw@example.com")
	if _, err := s.UpdateUser(ctx, "off@example.com", map[string]any{"accountEnabled": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteUser(ctx, "gone@example.com"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, upn, pw string
		ok            bool
	}{
		{"right password", "ok@example.com", goodPassword, true},
		{"UPN case-insensitive", "OK@example.com", goodPassword, true},
		{"wrong password", "ok@example.com", goodPassword + "!", false},
		{"empty password", "ok@example.com", "", false},
		{"too long", "ok@example.com", strings.Repeat("x", dirsvc.MaxPasswordLength+1), false},
		{"unknown user", "nobody@example.com", goodPassword, false},
		{"no password set", "nopw@example.com", goodPassword, false},
		{"disabled", "off@example.com", goodPassword, false},
		{"soft-deleted", "gone@example.com", goodPassword, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := s.VerifyPassword(ctx, tc.upn, tc.pw)
			if tc.ok {
				if err != nil || !strings.EqualFold(u.UserPrincipalName, tc.upn) {
					t.Errorf("VerifyPassword(%q) = %q, %v, want the user", tc.upn, u.UserPrincipalName, err)
				}
				return
			}
			if err != dirsvc.ErrBadCredentials || u.ObjectID != "" {
				t.Errorf("VerifyPassword(%q) = %q, %v, want ErrBadCredentials itself", tc.upn, u.ObjectID, err)
			}
		})
	}
}

// TestVerifyPasswordTiming checks that an unknown user costs an argon2id
// comparison as a wrong password does: not a tenth of it.
func TestVerifyPasswordTiming(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, "t@example.com")
	if err := s.SetPassword(ctx, "t@example.com", goodPassword); err != nil {
		t.Fatal(err)
	}
	fastest := func(upn string) time.Duration {
		best := time.Hour
		for range 5 {
			start := time.Now()
			s.VerifyPassword(ctx, upn, "wrong password!")
			best = min(best, time.Since(start))
		}
		return best
	}
	wrong, unknown := fastest("t@example.com"), fastest("nobody@example.com")
	if unknown < wrong/10 {
		t.Errorf("VerifyPassword(unknown user) took %s, want about as long as a wrong password (%s)", unknown, wrong)
	}
}

func TestInvite(t *testing.T) {
	s, clk := newService(t)
	u := mustCreate(t, s, "new@example.com")
	inv, err := s.CreateInvite(ctx, "new@example.com", 0)
	if err != nil {
		t.Fatalf("CreateInvite() = %v", err)
	}
	if want := clk.now().Add(dirsvc.DefaultInviteTTL); !inv.Expires.Equal(want) || len(inv.Token) != 43 {
		t.Errorf("CreateInvite() = %d-char token, expires %s, want 43 chars (256 bits), %s", len(inv.Token), inv.Expires, want)
	}
	if _, err := s.RedeemInvite(ctx, inv.Token, "short"); !errors.Is(err, dirsvc.ErrInvalid) {
		t.Errorf("RedeemInvite(short password) = %v, want ErrInvalid", err)
	}
	got, err := s.RedeemInvite(ctx, inv.Token, goodPassword)
	if err != nil || got.ObjectID != u.ObjectID {
		t.Fatalf("RedeemInvite() = %q, %v, want %q", got.ObjectID, err, u.ObjectID)
	}
	if _, err := s.VerifyPassword(ctx, "new@example.com", goodPassword); err != nil {
		t.Errorf("VerifyPassword() after redeem = %v", err)
	}
	if _, err := s.RedeemInvite(ctx, inv.Token, goodPassword+"2"); !errors.Is(err, dirsvc.ErrNotFound) {
		t.Errorf("RedeemInvite(used) = %v, want ErrNotFound", err)
	}

	short, err := s.CreateInvite(ctx, u.ObjectID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Hour)
	if _, err := s.RedeemInvite(ctx, short.Token, goodPassword); !errors.Is(err, dirsvc.ErrNotFound) {
		t.Errorf("RedeemInvite(expired) = %v, want ErrNotFound", err)
	}
}

func TestCreateInviteRefuses(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, "gone@example.com")
	if _, err := s.DeleteUser(ctx, "gone@example.com"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ref  string
		ttl  time.Duration
		want error
	}{
		{"unknown user", "nobody@example.com", 0, dirsvc.ErrNotFound},
		{"soft-deleted", "gone@example.com", 0, dirsvc.ErrInvalid},
		{"negative", "gone@example.com", -time.Hour, dirsvc.ErrInvalid},
		{"too long", "gone@example.com", dirsvc.MaxInviteTTL + time.Second, dirsvc.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.CreateInvite(ctx, tc.ref, tc.ttl); !errors.Is(err, tc.want) {
				t.Errorf("CreateInvite(%q, %s) = %v, want %v", tc.ref, tc.ttl, err, tc.want)
			}
		})
	}
}
