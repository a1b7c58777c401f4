package portal

import (
	"reflect"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func TestProfileOf(t *testing.T) {
	tests := []struct {
		name string
		in   scim.Resource
		want Profile
	}{
		{"full user", scim.Resource{"id": "1", "userName": "ann", "name": map[string]any{"formatted": "Ann Lee", "givenName": "A"},
			"displayName": "Annie", "emails": []any{map[string]any{"value": "ann@x", "type": "work"}},
			"roles": []any{map[string]any{"value": "Admin"}, "Reader"}, "active": true},
			Profile{ID: "1", UserName: "ann", DisplayName: "Ann Lee", Emails: []string{"ann@x"}, Roles: []string{"Admin", "Reader"}, Active: true}},
		{"displayName when no formatted name", scim.Resource{"id": "2", "displayName": "Bob", "active": "True"},
			Profile{ID: "2", DisplayName: "Bob", Active: true}},
		{"given and family names", scim.Resource{"id": "3", "name": map[string]any{"givenName": "C", "familyName": "D"}},
			Profile{ID: "3", DisplayName: "C D"}},
		{"inactive", scim.Resource{"id": "4", "active": false}, Profile{ID: "4"}},
		{"unreadable active is inactive", scim.Resource{"id": "5", "active": "maybe"}, Profile{ID: "5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ProfileOf(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ProfileOf(%v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}
