package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

var _ store.Passwords = dirStore{}

// setPassword upserts a user's password hash; no row when the user does
// not exist.
const setPassword = `INSERT INTO dir_passwords (object_id, hash, modified)
SELECT object_id, ?, ? FROM dir_users WHERE object_id = ?
ON CONFLICT (object_id) DO UPDATE SET hash = excluded.hash, modified = excluded.modified`

// SetPasswordHash implements [store.Passwords].
func (d dirStore) SetPasswordHash(ctx context.Context, userID, hash string) error {
	if hash == "" {
		return fmt.Errorf("set password of user %q: empty hash: %w", userID, store.ErrInvalid)
	}
	return d.s.writeOne(ctx, fmt.Sprintf("set password of user %q", userID), setPassword, hash, millis(d.s.now()), userID)
}

// PasswordHash implements [store.Passwords].
func (d dirStore) PasswordHash(ctx context.Context, userID string) (string, error) {
	var hash string
	err := d.s.queryRow(ctx, "SELECT hash FROM dir_passwords WHERE object_id = ?", userID).Scan(&hash)
	return hash, notFound(err, "password of user %q", userID)
}

// CreateInvite implements [store.Passwords].
func (d dirStore) CreateInvite(ctx context.Context, inv store.Invite) error {
	if inv.TokenHash == "" || inv.UserID == "" {
		return fmt.Errorf("create invite: empty token hash or user: %w", store.ErrInvalid)
	}
	now := millis(inv.Created)
	err := d.s.write(ctx, "", func(t tx) error {
		if _, err := t.exec(ctx, "DELETE FROM dir_invites WHERE expires < ?", now); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		res, err := t.exec(ctx, `INSERT INTO dir_invites (token_hash, object_id, expires, created)
SELECT ?, object_id, ?, ? FROM dir_users WHERE object_id = ? ON CONFLICT DO NOTHING`, inv.TokenHash, millis(inv.Expires), now, inv.UserID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var one int
		if err := t.queryRow(ctx, "SELECT 1 FROM dir_users WHERE object_id = ?", inv.UserID).Scan(&one); err != nil {
			return notFound(err, "user %q", inv.UserID)
		}
		return fmt.Errorf("token hash: %w", store.ErrExists)
	})
	if err != nil {
		return fmt.Errorf("create invite of user %q: %w", inv.UserID, err)
	}
	return nil
}

// RedeemInvite implements [store.Passwords].
func (d dirStore) RedeemInvite(ctx context.Context, tokenHash string, now time.Time, hash string) (string, error) {
	if hash == "" {
		return "", fmt.Errorf("redeem invite: empty hash: %w", store.ErrInvalid)
	}
	var userID string
	err := d.s.write(ctx, "", func(t tx) error {
		err := t.queryRow(ctx, "DELETE FROM dir_invites WHERE token_hash = ? AND expires > ? RETURNING object_id", tokenHash, millis(now)).Scan(&userID)
		if err != nil {
			return notFound(err, "invite")
		}
		res, err := t.exec(ctx, setPassword, hash, millis(d.s.now()), userID)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("set password of user %q: %w", userID, store.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("redeem invite: %w", err)
	}
	return userID, nil
}
