package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/oidc"
	"github.com/provisio-dev/provisio/internal/store"
)

// OIDCGrants adapts the store's authorization requests and tokens to the
// provider's [oidc.Grants] (store.ErrNotFound becomes oidc.ErrNotFound).
type OIDCGrants struct{ St store.OIDCGrantStore }

var _ oidc.Grants = OIDCGrants{}

func grantErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %w", err, oidc.ErrNotFound)
	}
	return err
}

func (g OIDCGrants) PutAuthRequest(ctx context.Context, r oidc.AuthRequestRecord) error {
	return g.St.PutOIDCAuthRequest(ctx, store.OIDCAuthRequest(r))
}

func (g OIDCGrants) AuthRequest(ctx context.Context, id string) (oidc.AuthRequestRecord, error) {
	r, err := g.St.OIDCAuthRequest(ctx, id)
	return oidc.AuthRequestRecord(r), grantErr(err)
}

func (g OIDCGrants) AuthRequestByCode(ctx context.Context, codeHash string) (oidc.AuthRequestRecord, error) {
	r, err := g.St.OIDCAuthRequestByCode(ctx, codeHash)
	return oidc.AuthRequestRecord(r), grantErr(err)
}

func (g OIDCGrants) ExchangeAuthRequest(ctx context.Context, id string) (bool, error) {
	return g.St.ExchangeOIDCAuthRequest(ctx, id)
}

func (g OIDCGrants) AddToken(ctx context.Context, t oidc.TokenRecord) error {
	return g.St.AddOIDCToken(ctx, store.OIDCToken(t))
}

func (g OIDCGrants) Token(ctx context.Context, hash string) (oidc.TokenRecord, error) {
	t, err := g.St.OIDCToken(ctx, hash)
	return oidc.TokenRecord(t), grantErr(err)
}

func (g OIDCGrants) UseToken(ctx context.Context, hash string, at time.Time) (bool, error) {
	return g.St.UseOIDCToken(ctx, hash, at)
}

func (g OIDCGrants) RevokeToken(ctx context.Context, hash string, at time.Time) error {
	return g.St.RevokeOIDCToken(ctx, hash, at)
}

func (g OIDCGrants) RevokeGrant(ctx context.Context, grantID string, at time.Time) (int64, error) {
	return g.St.RevokeOIDCGrant(ctx, grantID, at)
}

func (g OIDCGrants) RevokeSubject(ctx context.Context, subject, clientID string, at time.Time) error {
	return g.St.RevokeOIDCSubject(ctx, subject, clientID, at)
}

func (g OIDCGrants) Prune(ctx context.Context, before time.Time) (int64, error) {
	return g.St.PruneOIDC(ctx, before)
}

// pruneOIDC deletes the provider's expired authorization requests and
// tokens; failures are logged and retried at the next tick.
func (a *App) pruneOIDC(ctx context.Context) {
	n, err := oidc.Prune(ctx, OIDCGrants{a.store.OIDCGrants()}, time.Now())
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Warn("retention: prune expired oidc codes and tokens", "err", err)
	case n > 0:
		a.log.Info("pruned expired oidc codes and tokens", "count", n)
	}
}
