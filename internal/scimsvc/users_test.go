package scimsvc

import (
	"context"
	"errors"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
)

func TestUsers(t *testing.T) {
	f := newFixture(t)
	a, _ := f.create(t, "acme")
	b, _ := f.create(t, "globex")
	users, err := NewUsers(f.store.Backend())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt, _ := scim.NewStandardRegistry().ResourceType("User")
	ann, err := f.store.Backend().Create(store.WithTenant(ctx, a.ID), rt, scim.Resource{
		"schemas": []any{scim.UserSchema}, "userName": "Ann@example.com", "active": true})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := ann["id"].(string)

	tests := []struct {
		name   string
		tenant string
		lookup func(tenant string) (scim.Resource, error)
		want   error
	}{
		{"by userName, any case", a.ID, func(tn string) (scim.Resource, error) { return users.ByUserName(ctx, tn, "ann@EXAMPLE.com") }, nil},
		{"by id", a.ID, func(tn string) (scim.Resource, error) { return users.ByID(ctx, tn, id) }, nil},
		{"unknown userName", a.ID, func(tn string) (scim.Resource, error) { return users.ByUserName(ctx, tn, "bob@example.com") }, ErrNoUser},
		{"unknown id", a.ID, func(tn string) (scim.Resource, error) { return users.ByID(ctx, tn, "nope") }, ErrNoUser},
		{"userName of another tenant", b.ID, func(tn string) (scim.Resource, error) { return users.ByUserName(ctx, tn, "ann@example.com") }, ErrNoUser},
		{"id of another tenant", b.ID, func(tn string) (scim.Resource, error) { return users.ByID(ctx, tn, id) }, ErrNoUser},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.lookup(tc.tenant)
			if !errors.Is(err, tc.want) || (tc.want == nil && (err != nil || got["id"] != id)) {
				t.Errorf("lookup = %v, %v, want user %s or %v", got["id"], err, id, tc.want)
			}
		})
	}
}
