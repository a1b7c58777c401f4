package dirsvc_test

import (
	"slices"
	"testing"

	"github.com/provisio-dev/provisio/internal/svcerr"
)

func TestSSOClientReadDelete(t *testing.T) {
	s, st := newSSOService(t)
	if _, err := s.GetSSOClient(ctx, "Portal"); svcerr.KindOf(err) != svcerr.NotFound {
		t.Errorf("GetSSOClient(no client) = %v, want NotFound", err)
	}
	if _, _, err := s.SetSSOClient(ctx, "Portal", []string{"https://a.example/cb"}, false, "http://evil.example/bye"); svcerr.KindOf(err) != svcerr.Invalid {
		t.Errorf("SetSSOClient(http post-logout URI) = %v, want Invalid", err)
	}
	c, _, err := s.SetSSOClient(ctx, "Portal", []string{"https://a.example/cb"}, false, "https://a.example/bye")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSSOClient(ctx, "Portal")
	if err != nil || got.ClientID != c.ClientID || !got.HasSecret || got.Public ||
		!slices.Equal(got.PostLogoutRedirectURIs, []string{"https://a.example/bye"}) || got.Updated.IsZero() {
		t.Errorf("GetSSOClient = %+v, %v, want %+v with a secret set", got, err, c)
	}
	if err := s.DeleteSSOClient(ctx, "Portal"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSSOClient(ctx, "Portal"); svcerr.KindOf(err) != svcerr.NotFound {
		t.Errorf("DeleteSSOClient twice = %v, want NotFound", err)
	}
	if _, err := st.OIDC().OIDCClient(ctx, c.ClientID); err == nil {
		t.Error("client still found after DeleteSSOClient")
	}
	if _, err := s.GetSSOClient(ctx, "nope"); svcerr.KindOf(err) != svcerr.NotFound {
		t.Errorf("GetSSOClient(unknown app) = %v, want NotFound", err)
	}
}

func TestAdminRole(t *testing.T) {
	s, _ := newService(t)
	u := mustCreate(t, s, "boss@example.com")
	check := func(wantRole, wantAdmin bool) {
		t.Helper()
		if got, err := s.HasAdminRole(ctx, u.ObjectID); err != nil || got != wantRole {
			t.Errorf("HasAdminRole = %v, %v, want %v", got, err, wantRole)
		}
		if got, err := s.IsAdmin(ctx, u.ObjectID); err != nil || got != wantAdmin {
			t.Errorf("IsAdmin = %v, %v, want %v", got, err, wantAdmin)
		}
	}
	check(false, false)
	if _, err := s.SetAdmin(ctx, "boss@example.com", true); err != nil {
		t.Fatal(err)
	}
	check(true, true)
	if _, err := s.UpdateUser(ctx, u.ObjectID, map[string]any{"accountEnabled": false}); err != nil {
		t.Fatal(err)
	}
	check(true, false) // a disabled administrator administers nothing
	if _, err := s.UpdateUser(ctx, u.ObjectID, map[string]any{"accountEnabled": true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAdmin(ctx, u.ObjectID, false); err != nil {
		t.Fatal(err)
	}
	check(false, false)
	if _, err := s.SetAdmin(ctx, "nobody@example.com", true); svcerr.KindOf(err) != svcerr.NotFound {
		t.Errorf("SetAdmin(unknown) = %v, want NotFound", err)
	}
	if got, err := s.IsAdmin(ctx, "00000000-0000-0000-0000-000000000000"); err != nil || got {
		t.Errorf("IsAdmin(unknown) = %v, %v, want false", got, err)
	}
}
