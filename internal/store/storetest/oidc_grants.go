package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// RunOIDCGrants runs the conformance suite of [store.OIDCGrantStore]: an
// authorization request is found by id and by code hash and redeemed
// once; a refresh token is used once; revoking a grant revokes its whole
// family and nothing else; expired rows are pruned.
func RunOIDCGrants(t *testing.T, open func(t *testing.T) store.OIDCGrantStore) {
	t.Run("AuthRequests", func(t *testing.T) { testOIDCAuthRequests(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testOIDCTokens(t, open(t)) })
	t.Run("Prune", func(t *testing.T) { testOIDCPrune(t, open(t)) })
}

var oidcT0 = time.UnixMilli(1_800_000_000_000).UTC()

func testOIDCAuthRequests(t *testing.T, s store.OIDCGrantStore) {
	ctx := context.Background()
	r := store.OIDCAuthRequest{ID: "r1", Data: []byte(`{"a":1}`), Expires: oidcT0}
	if err := s.PutOIDCAuthRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOIDCAuthRequest(ctx, store.OIDCAuthRequest{ID: "r2", Data: []byte(`{}`), Expires: oidcT0}); err != nil {
		t.Fatal(err) // a second request without a code: code_hash NULLs do not collide
	}
	if got, err := s.OIDCAuthRequest(ctx, "r1"); err != nil || string(got.Data) != `{"a":1}` || got.CodeHash != "" || got.Exchanged || !got.Expires.Equal(oidcT0) {
		t.Errorf("OIDCAuthRequest(r1) = %+v, %v, want %+v", got, err, r)
	}
	if _, err := s.OIDCAuthRequestByCode(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCAuthRequestByCode(before a code) = %v, want ErrNotFound", err)
	}
	r.Data, r.CodeHash, r.Expires = []byte(`{"a":2}`), "h1", oidcT0.Add(time.Minute)
	if err := s.PutOIDCAuthRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.OIDCAuthRequestByCode(ctx, "h1")
	if err != nil || got.ID != "r1" || string(got.Data) != `{"a":2}` || !got.Expires.Equal(r.Expires) {
		t.Errorf("OIDCAuthRequestByCode(h1) = %+v, %v, want r1 replaced", got, err)
	}
	for i, want := range []bool{true, false} {
		if first, err := s.ExchangeOIDCAuthRequest(ctx, "r1"); err != nil || first != want {
			t.Errorf("ExchangeOIDCAuthRequest(r1) #%d = %v, %v, want %v", i+1, first, err, want)
		}
	}
	if got, err := s.OIDCAuthRequest(ctx, "r1"); err != nil || !got.Exchanged {
		t.Errorf("OIDCAuthRequest(r1) after exchange = %+v, %v, want Exchanged", got, err)
	}
	if _, err := s.OIDCAuthRequest(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCAuthRequest(nope) = %v, want ErrNotFound", err)
	}
}

func testOIDCTokens(t *testing.T, s store.OIDCGrantStore) {
	ctx := context.Background()
	tok := func(hash, kind, grant, subject string) store.OIDCToken {
		return store.OIDCToken{Hash: hash, Kind: kind, GrantID: grant, ClientID: "c", Subject: subject, Data: []byte(hash),
			Created: oidcT0, Expires: oidcT0.Add(time.Hour)}
	}
	for _, tk := range []store.OIDCToken{
		tok("a1", store.OIDCAccessToken, "g1", "u1"), tok("r1", store.OIDCRefreshToken, "g1", "u1"),
		tok("a2", store.OIDCAccessToken, "g2", "u1"), tok("a3", store.OIDCAccessToken, "g3", "u2"),
	} {
		if err := s.AddOIDCToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.OIDCToken(ctx, "r1")
	if err != nil || got.Kind != store.OIDCRefreshToken || got.GrantID != "g1" || got.Subject != "u1" || got.ClientID != "c" ||
		string(got.Data) != "r1" || !got.Created.Equal(oidcT0) || !got.Expires.Equal(oidcT0.Add(time.Hour)) || got.Used != nil || got.Revoked != nil {
		t.Errorf("OIDCToken(r1) = %+v, %v", got, err)
	}
	if _, err := s.OIDCToken(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCToken(nope) = %v, want ErrNotFound", err)
	}
	for i, want := range []bool{true, false} {
		if first, err := s.UseOIDCToken(ctx, "r1", oidcT0); err != nil || first != want {
			t.Errorf("UseOIDCToken(r1) #%d = %v, %v, want %v", i+1, first, err, want)
		}
	}
	if got, _ := s.OIDCToken(ctx, "r1"); got.Used == nil || !got.Used.Equal(oidcT0) {
		t.Errorf("OIDCToken(r1).Used = %v, want %v", got.Used, oidcT0)
	}
	if n, err := s.RevokeOIDCGrant(ctx, "g1", oidcT0); err != nil || n != 2 {
		t.Errorf("RevokeOIDCGrant(g1) = %d, %v, want 2 (access and refresh)", n, err)
	}
	if err := s.RevokeOIDCToken(ctx, "a2", oidcT0); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeOIDCToken(ctx, "nope", oidcT0); err != nil {
		t.Errorf("RevokeOIDCToken(unknown) = %v, want nil", err)
	}
	if first, err := s.UseOIDCToken(ctx, "a2", oidcT0); err != nil || first {
		t.Errorf("UseOIDCToken(revoked) = %v, %v, want false", first, err)
	}
	for hash, revoked := range map[string]bool{"a1": true, "r1": true, "a2": true, "a3": false} {
		if got, err := s.OIDCToken(ctx, hash); err != nil || (got.Revoked != nil) != revoked {
			t.Errorf("OIDCToken(%s).Revoked = %v, %v, want revoked %v", hash, got.Revoked, err, revoked)
		}
	}
	if err := s.RevokeOIDCSubject(ctx, "u2", "other-client", oidcT0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OIDCToken(ctx, "a3"); got.Revoked != nil {
		t.Error("RevokeOIDCSubject(u2, other client) revoked a3, want only that client's tokens")
	}
	if err := s.RevokeOIDCSubject(ctx, "u2", "c", oidcT0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OIDCToken(ctx, "a3"); got.Revoked == nil {
		t.Error("RevokeOIDCSubject(u2, c) left a3, want it revoked")
	}
}

func testOIDCPrune(t *testing.T, s store.OIDCGrantStore) {
	ctx := context.Background()
	for i, exp := range []time.Time{oidcT0, oidcT0.Add(2 * time.Hour)} {
		id := []string{"old", "new"}[i]
		if err := s.PutOIDCAuthRequest(ctx, store.OIDCAuthRequest{ID: id, Data: []byte("{}"), Expires: exp}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddOIDCToken(ctx, store.OIDCToken{Hash: id, Kind: store.OIDCAccessToken, GrantID: id, ClientID: "c", Subject: "u",
			Data: []byte("{}"), Created: oidcT0, Expires: exp}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.PruneOIDC(ctx, oidcT0.Add(time.Hour)); err != nil || n != 2 {
		t.Errorf("PruneOIDC = %d, %v, want 2 (the old request and token)", n, err)
	}
	if _, err := s.OIDCAuthRequest(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCAuthRequest(old) after prune = %v, want ErrNotFound", err)
	}
	if _, err := s.OIDCToken(ctx, "new"); err != nil {
		t.Errorf("OIDCToken(new) after prune = %v, want kept", err)
	}
}
