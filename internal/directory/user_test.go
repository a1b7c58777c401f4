package directory

import (
	"testing"
	"time"
)

func TestUserAttr(t *testing.T) {
	u := &User{ObjectID: "o1", UserPrincipalName: "b@x", Surname: "Jensen", AccountEnabled: true,
		Extensions: map[string]string{"extension_costCenter": "42"}}
	tests := []struct {
		name   string
		want   any
		wantOK bool
	}{
		{"userPrincipalName", "b@x", true},
		{"SURNAME", "Jensen", true},
		{"givenName", "", false},
		{"accountEnabled", true, true},
		{"extension_costCenter", "42", true},
		{"EXTENSION_COSTCENTER", "42", true},
		{"unknown", "", false},
	}
	for _, tt := range tests {
		got, ok := u.Attr(tt.name)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Attr(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestSoftDeleted(t *testing.T) {
	now := time.Now()
	if (&User{}).SoftDeleted() || !(&User{DeletedAt: &now}).SoftDeleted() {
		t.Errorf("User.SoftDeleted() does not follow DeletedAt")
	}
	if (&Group{}).SoftDeleted() || !(&Group{DeletedAt: &now}).SoftDeleted() {
		t.Errorf("Group.SoftDeleted() does not follow DeletedAt")
	}
}

func TestGroupAttr(t *testing.T) {
	g := &Group{ObjectID: "g1", DisplayName: "Ops", Members: []Member{{ID: "u1", Kind: KindUser}, {ID: "g2", Kind: KindGroup}}}
	if v, ok := g.Attr("displayName"); v != "Ops" || !ok {
		t.Errorf("Attr(displayName) = %v, %v; want Ops, true", v, ok)
	}
	v, ok := g.Attr("members")
	if ids, _ := v.([]string); !ok || len(ids) != 2 || ids[0] != "u1" || ids[1] != "g2" {
		t.Errorf("Attr(members) = %v, %v; want [u1 g2], true", v, ok)
	}
	if _, ok := (&Group{}).Attr("members"); ok {
		t.Errorf("Attr(members) of an empty group is present, want absent")
	}
}
