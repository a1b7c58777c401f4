package tenant

import (
	"context"
	"fmt"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// ErrLastAdminToken: revoking the token would leave the admin API without
// a valid token, and nobody could use it again.
var ErrLastAdminToken = svcerr.New(svcerr.Conflict, "last_admin_token", "the last valid admin token cannot be revoked")

// EnsureAdminToken creates an admin API token if no valid one exists and
// reports created true. keep receives the new token's secret before the
// token is stored (serve writes it to admin.token) and the token is stored
// only once keep succeeded, so a secret that could not be kept never
// becomes a valid token that nobody has. Only the hash is stored.
func (m *Manager) EnsureAdminToken(ctx context.Context, keep func(secret string) error) (bool, error) {
	toks, err := m.AdminTokens(ctx)
	if err != nil {
		return false, err
	}
	if len(valid(toks)) > 0 {
		return false, nil
	}
	if _, err := m.issueAdminToken(ctx, "initial", keep); err != nil {
		return false, err
	}
	return true, nil
}

// ResetAdminTokens is the recovery of an administrator who lost the admin
// token: it issues a new admin token named name, handing its secret to
// keep before the token is stored (as EnsureAdminToken does), then revokes
// every other valid admin token, since a lost token may have been found.
// It returns the new token's record and the revoked ones. It needs no
// token: `provisio admin-token reset` calls it on the server's machine,
// with direct access to the database.
func (m *Manager) ResetAdminTokens(ctx context.Context, name string, keep func(secret string) error) (store.Token, []store.Token, error) {
	toks, err := m.AdminTokens(ctx)
	if err != nil {
		return store.Token{}, nil, err
	}
	tok, err := m.issueAdminToken(ctx, name, keep)
	if err != nil {
		return store.Token{}, nil, err
	}
	var revoked []store.Token
	for _, t := range valid(toks) {
		if err := m.store.RevokeAdminToken(ctx, t.ID); err != nil {
			return tok, revoked, fmt.Errorf("reset admin tokens: revoke %s (the new token is valid): %w", t.ID, err)
		}
		revoked = append(revoked, t)
	}
	return tok, revoked, nil
}

// IssueAdminToken creates another admin API token and returns its secret,
// which is shown only this once, and its record. Several may be valid at
// once: that is how the admin token rotates (see RotateAdminToken).
func (m *Manager) IssueAdminToken(ctx context.Context, name string) (string, store.Token, error) {
	var secret string
	tok, err := m.issueAdminToken(ctx, name, func(s string) error { secret = s; return nil })
	if err != nil {
		return "", store.Token{}, err
	}
	return secret, tok, nil
}

// issueAdminToken makes a new admin token, hands its secret to keep and
// stores its hash only if keep succeeded.
func (m *Manager) issueAdminToken(ctx context.Context, name string, keep func(secret string) error) (store.Token, error) {
	secret, tok, err := newSecret(AdminTokenPrefix, name)
	if err != nil {
		return store.Token{}, fmt.Errorf("issue admin token: %w", err)
	}
	if err := keep(secret); err != nil {
		return store.Token{}, fmt.Errorf("issue admin token: %w", err)
	}
	if tok, err = m.store.CreateAdminToken(ctx, tok); err != nil {
		return store.Token{}, fmt.Errorf("issue admin token: %w", err)
	}
	return tok, nil
}

// AdminTokens lists the admin API tokens, revoked ones included (never
// their secrets).
func (m *Manager) AdminTokens(ctx context.Context) ([]store.Token, error) {
	toks, err := m.store.ListAdminTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("list admin tokens: %w", err)
	}
	return toks, nil
}

// RevokeAdminToken revokes admin token id (an error wrapping ErrNotFound
// if there is none); revoking a revoked one changes
// nothing. It refuses with ErrLastAdminToken to revoke the only valid
// one. Two concurrent revocations of the last two valid tokens may both
// pass this check; serve then creates a new token on its next start.
func (m *Manager) RevokeAdminToken(ctx context.Context, id string) error {
	toks, err := m.AdminTokens(ctx)
	if err != nil {
		return err
	}
	live := valid(toks)
	found := false
	for _, t := range toks {
		found = found || t.ID == id
	}
	switch {
	case !found:
		return fmt.Errorf("revoke admin token %q: %w", id, ErrNotFound)
	case len(live) == 1 && live[0].ID == id:
		return ErrLastAdminToken
	}
	if err := m.store.RevokeAdminToken(ctx, id); err != nil {
		return own(err, "revoke admin token %q", id)
	}
	return nil
}

// RotateAdminToken replaces the admin token current: it issues a new one
// named name and then revokes current, so that a failure in between
// leaves both valid rather than none. It returns the new secret and
// record.
func (m *Manager) RotateAdminToken(ctx context.Context, current, name string) (string, store.Token, error) {
	if err := m.AuthenticateAdmin(ctx, current); err != nil {
		return "", store.Token{}, err
	}
	h := HashToken(current)
	old, err := m.store.LookupAdminToken(ctx, h[:])
	if err != nil {
		return "", store.Token{}, fmt.Errorf("rotate admin token: %w", err)
	}
	secret, tok, err := m.IssueAdminToken(ctx, name)
	if err != nil {
		return "", store.Token{}, err
	}
	if err := m.store.RevokeAdminToken(ctx, old.ID); err != nil {
		return "", store.Token{}, fmt.Errorf("rotate admin token: revoke the old one (the new one is valid): %w", err)
	}
	return secret, tok, nil
}

// valid returns the tokens not revoked.
func valid(toks []store.Token) []store.Token {
	var out []store.Token
	for _, t := range toks {
		if t.Revoked.IsZero() {
			out = append(out, t)
		}
	}
	return out
}
