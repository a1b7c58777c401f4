package tenant

import (
	"context"
	"errors"
	"testing"

	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
)

// ssoStore keeps SSO settings in a map; other methods panic.
type ssoStore struct {
	store.Store
	m map[string]store.TenantSSO
}

func (s *ssoStore) SetTenantSSO(_ context.Context, sso store.TenantSSO) error {
	if sso.TenantID != "t1" {
		return store.ErrNotFound
	}
	s.m[sso.TenantID] = sso
	return nil
}

func (s *ssoStore) GetTenantSSO(_ context.Context, id string) (store.TenantSSO, error) {
	sso, ok := s.m[id]
	if !ok {
		return store.TenantSSO{}, store.ErrNotFound
	}
	return sso, nil
}

func TestSetSSO(t *testing.T) {
	box, err := secretbox.New(make([]byte, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                    string
		id, issuer, client, sec string
		want                    error
	}{
		{"https issuer", "t1", "https://login.example.com/tenant/v2.0", "c1", "s1", nil},
		{"loopback http issuer", "t1", "http://127.0.0.1:8080/oidc", "c1", "s1", nil},
		{"plain http issuer", "t1", "http://idp.example.com", "c1", "s1", ErrInvalid},
		{"issuer with query", "t1", "https://idp.example.com?x=1", "c1", "s1", ErrInvalid},
		{"relative issuer", "t1", "/oidc", "c1", "s1", ErrInvalid},
		{"empty client id", "t1", "https://idp.example.com", " ", "s1", ErrInvalid},
		{"empty secret", "t1", "https://idp.example.com", "c1", "", ErrInvalid},
		{"unknown tenant", "t2", "https://idp.example.com", "c1", "s1", ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := &ssoStore{m: map[string]store.TenantSSO{}}
			m := NewManager(st, Options{Box: box})
			err := m.SetSSO(context.Background(), tc.id, tc.issuer, tc.client, tc.sec)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("SetSSO(%q, %q) = %v, want %v", tc.id, tc.issuer, err, tc.want)
			}
			if err != nil {
				return
			}
			if string(st.m[tc.id].Secret) == tc.sec {
				t.Errorf("stored secret = %q, want it encrypted", st.m[tc.id].Secret)
			}
			got, err := m.SSOClient(context.Background(), tc.id)
			want := SSOClient{Issuer: tc.issuer, ClientID: tc.client, ClientSecret: tc.sec}
			if err != nil || got != want {
				t.Errorf("SSOClient(%q) = %+v, %v, want %+v", tc.id, got, err, want)
			}
			if s, err := m.SSO(context.Background(), tc.id); err != nil || s.Issuer != tc.issuer || s.ClientID != tc.client {
				t.Errorf("SSO(%q) = %+v, %v, want issuer and client id", tc.id, s, err)
			}
		})
	}
}

func TestSSOClientNone(t *testing.T) {
	m := NewManager(&ssoStore{m: map[string]store.TenantSSO{}}, Options{})
	if _, err := m.SSOClient(context.Background(), "t1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SSOClient(no settings) = %v, want ErrNotFound", err)
	}
}
