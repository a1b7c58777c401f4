package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
)

// testTenantSSO: single sign-on settings are set, replaced, listed and go
// with their tenant; an unknown tenant is ErrNotFound.
func testTenantSSO(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, err := s.CreateTenant(ctx, "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetTenantSSO(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetTenantSSO(no settings) = %v, want ErrNotFound", err)
	}
	if err := s.SetTenantSSO(ctx, store.TenantSSO{TenantID: "nope", Issuer: "https://i", ClientID: "c", Secret: []byte{1}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetTenantSSO(unknown tenant) = %v, want ErrNotFound", err)
	}
	for _, want := range []store.TenantSSO{
		{TenantID: a.ID, Issuer: "https://one.example", ClientID: "c1", Secret: []byte{1, 2}},
		{TenantID: a.ID, Issuer: "https://two.example", ClientID: "c2", Secret: []byte{3}},
	} {
		if err := s.SetTenantSSO(ctx, want); err != nil {
			t.Fatalf("SetTenantSSO(%+v) = %v", want, err)
		}
		got, err := s.GetTenantSSO(ctx, a.ID)
		if err != nil || got.Issuer != want.Issuer || got.ClientID != want.ClientID ||
			!bytes.Equal(got.Secret, want.Secret) || got.Updated.IsZero() {
			t.Errorf("GetTenantSSO = %+v, %v, want %+v with Updated", got, err, want)
		}
	}
	if l, err := s.ListTenantSSO(ctx); err != nil || len(l) != 1 || l[0].ClientID != "c2" {
		t.Errorf("ListTenantSSO = %+v, %v, want the one of acme", l, err)
	}
	if err := s.DeleteTenant(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if l, err := s.ListTenantSSO(ctx); err != nil || len(l) != 0 {
		t.Errorf("ListTenantSSO after DeleteTenant = %+v, %v, want none", l, err)
	}
}
