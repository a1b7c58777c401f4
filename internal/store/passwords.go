package store

import (
	"context"
	"time"
)

// Passwords stores directory users' password hashes and one-time invite
// links (issue 13): an optional capability of a [Directory], by type
// assertion (sqlstore's directory has it). It stores only hashes (an
// argon2id PHC string of the password, a SHA-256 of the invite token);
// hashing is the service's (internal/dirsvc). A user's password and
// invites go with the user when it is hard-deleted. Writing them appends
// no directory change: a password is never provisioned.
type Passwords interface {
	// SetPasswordHash stores the password hash of a user (ErrNotFound: no
	// such user), replacing any.
	SetPasswordHash(ctx context.Context, userID, hash string) error
	// PasswordHash returns a user's password hash; ErrNotFound when it has
	// none.
	PasswordHash(ctx context.Context, userID string) (string, error)
	// CreateInvite stores an invite (ErrNotFound: no such user; ErrExists:
	// the token hash is taken) and deletes invites expired at its Created.
	CreateInvite(ctx context.Context, inv Invite) error
	// RedeemInvite deletes the invite with tokenHash and stores hash as its
	// user's password hash, in one transaction, and returns the user's
	// ObjectID. An invite expired at now, or already redeemed, is
	// ErrNotFound: an invite is redeemed at most once.
	RedeemInvite(ctx context.Context, tokenHash string, now time.Time, hash string) (string, error)
}

// Invite is a one-time invite link of a user, by the hash of its token.
type Invite struct {
	TokenHash string
	UserID    string
	Created   time.Time
	Expires   time.Time
}
