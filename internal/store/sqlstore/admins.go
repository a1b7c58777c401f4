package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

var _ store.Admins = dirStore{}

// SetAdmin implements [store.Admins] over dir_admins (migration 0740).
func (d dirStore) SetAdmin(ctx context.Context, userID string, admin bool, now time.Time) error {
	err := d.s.write(ctx, "", func(t tx) error {
		var one int
		if err := t.queryRow(ctx, "SELECT 1 FROM dir_users WHERE object_id = ?", userID).Scan(&one); err != nil {
			return notFound(err, "user %q", userID)
		}
		if !admin {
			_, err := t.exec(ctx, "DELETE FROM dir_admins WHERE object_id = ?", userID)
			return err
		}
		_, err := t.exec(ctx, "INSERT INTO dir_admins (object_id, granted) VALUES (?, ?) ON CONFLICT (object_id) DO NOTHING", userID, millis(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("set admin role of user %q: %w", userID, err)
	}
	return nil
}

// IsAdmin implements [store.Admins].
func (d dirStore) IsAdmin(ctx context.Context, userID string) (bool, error) {
	var n int
	if err := d.s.queryRow(ctx, "SELECT COUNT(*) FROM dir_admins WHERE object_id = ?", userID).Scan(&n); err != nil {
		return false, fmt.Errorf("admin role of user %q: %w", userID, err)
	}
	return n > 0, nil
}
