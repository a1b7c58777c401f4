package dirsvc

import (
	"errors"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
)

func TestSetAttr(t *testing.T) {
	tests := []struct {
		name, attr, value string
		check             func(u *directory.User) bool
		wantErr           error
	}{
		{"builtin", "surname", "Lee", func(u *directory.User) bool { return u.Surname == "Lee" }, nil},
		{"builtin any case", "DEPARTMENT", "Sales", func(u *directory.User) bool { return u.Department == "Sales" }, nil},
		{"clear", "givenName", "", func(u *directory.User) bool { return u.GivenName == "" }, nil},
		{"extension", "extension_costCenter", "42", func(u *directory.User) bool { return u.Extensions["extension_costCenter"] == "42" }, nil},
		{"extension keeps spelling", "EXTENSION_OLD", "2", func(u *directory.User) bool { return u.Extensions["extension_old"] == "2" && len(u.Extensions) == 1 }, nil},
		{"clear extension", "extension_old", "", func(u *directory.User) bool { return len(u.Extensions) == 0 }, nil},
		{"disable", "accountEnabled", "false", func(u *directory.User) bool { return !u.AccountEnabled }, nil},
		{"enable yes", "accountEnabled", "Yes", func(u *directory.User) bool { return u.AccountEnabled }, nil},
		{"bad bool", "accountEnabled", "maybe", nil, ErrInvalid},
		{"objectId", "objectId", "x", nil, ErrInvalid},
		{"unknown", "favouriteColour", "blue", nil, ErrInvalid},
		{"bare prefix", "extension_", "x", nil, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := &directory.User{GivenName: "Bo", AccountEnabled: true, Extensions: map[string]string{"extension_old": "1"}}
			err := SetAttr(u, tc.attr, tc.value)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("SetAttr(%q, %q) = %v, want %v", tc.attr, tc.value, err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(u) {
				t.Errorf("SetAttr(%q, %q) = %v, user %+v", tc.attr, tc.value, err, u)
			}
		})
	}
}

func TestValidUPN(t *testing.T) {
	tests := []struct {
		upn  string
		want bool
	}{
		{"bo@example.com", true},
		{"b.o+x@sub.example.com", true},
		{"", false},
		{"bo", false},
		{"@example.com", false},
		{"bo@", false},
		{"bo@a@b", false},
		{"b o@example.com", false},
		{"bo@example.com\n", false},
	}
	for _, tc := range tests {
		if got := validUPN(tc.upn) == nil; got != tc.want {
			t.Errorf("validUPN(%q) ok = %v, want %v", tc.upn, got, tc.want)
		}
	}
}

func TestNewUser(t *testing.T) {
	u, err := NewUser(map[string]any{"userPrincipalName": "a@b", "objectId": "id-1", "surname": "Lee"})
	if err != nil || u.UserPrincipalName != "a@b" || u.ObjectID != "id-1" || u.Surname != "Lee" || !u.AccountEnabled {
		t.Errorf("NewUser() = %+v, %v; want enabled a@b id-1 Lee", u, err)
	}
	if _, err := NewUser(map[string]any{"nope": "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("NewUser(unknown attribute) = %v, want ErrInvalid", err)
	}
}
