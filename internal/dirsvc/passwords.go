package dirsvc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/pwhash"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// Password length bounds, in Unicode code points as NIST SP 800-63B
// §5.1.1.2 counts them. 800-63B makes 8 the floor for a memorized secret
// and asks verifiers to allow at least 64; 12 is above that floor for a
// password that is the only factor of the sign-in page, and 256 bounds
// the work a single request can cause. No composition rules (800-63B
// forbids them).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// Invite link lifetimes: DefaultInviteTTL when none is given, at most
// MaxInviteTTL.
const (
	DefaultInviteTTL = 72 * time.Hour
	MaxInviteTTL     = 30 * 24 * time.Hour
)

// ErrBadCredentials is VerifyPassword's one refusal, whatever the cause
// (no such user, wrong or no password, disabled or soft-deleted user), so
// a caller cannot learn which user names exist.
var ErrBadCredentials = svcerr.New(svcerr.Unauthorized, "", "invalid user name or password")

// errNoInvite is RedeemInvite's refusal of an unknown, used or expired
// token.
var errNoInvite = ErrNotFound.With("invite link is invalid, used or expired")

// Invite is a one-time invite link's token (shown once; only its hash is
// stored) and when it expires.
type Invite struct {
	Token   string
	Expires time.Time
}

// dummyHash is compared against when there is no password to compare
// with, so an unknown user costs the same time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := pwhash.Hash(context.Background(), rand.Text())
	if err != nil {
		panic(err)
	}
	return h
})

func (s *Service) passwords() (store.Passwords, error) {
	p, ok := s.st.(store.Passwords)
	if !ok {
		return nil, fmt.Errorf("directory store %T keeps no passwords", s.st)
	}
	return p, nil
}

// checkPassword enforces the length bounds; the message never holds the
// password.
func checkPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength || n > MaxPasswordLength {
		return ErrInvalid.With("password: must be %d to %d characters long, is %d", MinPasswordLength, MaxPasswordLength, n)
	}
	return nil
}

// SetPassword sets the password of a user named by userPrincipalName or
// ObjectID, replacing any; it is stored as an argon2id hash
// (internal/pwhash), never in clear.
func (s *Service) SetPassword(ctx context.Context, ref, pw string) error {
	_, err := on(ctx, "user", ref, s.user, func(u directory.User) (directory.User, error) {
		if err := checkPassword(pw); err != nil {
			return u, err
		}
		p, err := s.passwords()
		if err != nil {
			return u, err
		}
		h, err := pwhash.Hash(ctx, pw)
		if err != nil {
			return u, err
		}
		return u, p.SetPasswordHash(ctx, u.ObjectID, h)
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	s.log.InfoContext(ctx, "password set", "user", ref)
	return nil
}

// VerifyPassword returns the user with userPrincipalName upn when pw is
// its password and the user is enabled and not soft-deleted; otherwise
// ErrBadCredentials, after one argon2id comparison in every case (a dummy
// hash for an unknown user or one without a password), so neither the
// error nor the time tells an unknown user from a wrong password.
func (s *Service) VerifyPassword(ctx context.Context, upn, pw string) (directory.User, error) {
	p, err := s.passwords()
	if err != nil {
		return directory.User{}, err
	}
	if n := utf8.RuneCountInString(pw); n == 0 || n > MaxPasswordLength {
		return directory.User{}, ErrBadCredentials
	}
	hash, known := dummyHash(), false
	u, err := s.st.GetUserByUPN(ctx, upn)
	switch {
	case err == nil:
		h, err := p.PasswordHash(ctx, u.ObjectID)
		switch {
		case err == nil:
			hash, known = h, true
		case !errors.Is(err, store.ErrNotFound):
			return directory.User{}, fmt.Errorf("verify password: %w", err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return directory.User{}, fmt.Errorf("verify password: %w", err)
	}
	ok, err := pwhash.Compare(ctx, pw, hash)
	if err != nil {
		return directory.User{}, fmt.Errorf("verify password: %w", err)
	}
	if !ok || !known || !u.AccountEnabled || u.SoftDeleted() {
		return directory.User{}, ErrBadCredentials
	}
	return u, nil
}

// CreateInvite creates a one-time invite link for a user named by
// userPrincipalName or ObjectID, valid for ttl (0: DefaultInviteTTL; at
// most MaxInviteTTL). The token holds 256 random bits; only its SHA-256
// is stored. A soft-deleted user gets none.
func (s *Service) CreateInvite(ctx context.Context, ref string, ttl time.Duration) (Invite, error) {
	if ttl == 0 {
		ttl = DefaultInviteTTL
	}
	if ttl < 0 || ttl > MaxInviteTTL {
		return Invite{}, ErrInvalid.With("invite validity %s: must be positive and at most %s", ttl, MaxInviteTTL)
	}
	var inv Invite
	_, err := on(ctx, "user", ref, s.user, func(u directory.User) (directory.User, error) {
		if u.SoftDeleted() {
			return u, ErrInvalid.With("is deleted")
		}
		p, err := s.passwords()
		if err != nil {
			return u, err
		}
		b := make([]byte, 32)
		rand.Read(b) // never fails (crypto/rand)
		now := s.now()
		inv = Invite{Token: base64.RawURLEncoding.EncodeToString(b), Expires: now.Add(ttl)}
		return u, p.CreateInvite(ctx, store.Invite{TokenHash: tokenHash(inv.Token), UserID: u.ObjectID, Created: now, Expires: inv.Expires})
	})
	if err != nil {
		return Invite{}, fmt.Errorf("create invite: %w", err)
	}
	s.log.InfoContext(ctx, "invite created", "user", ref, "expires", inv.Expires)
	return inv, nil
}

// RedeemInvite sets the password of an invite's user to pw and uses the
// invite up, in one transaction: a token works once, and not after it
// expired (ErrNotFound). It returns the user.
func (s *Service) RedeemInvite(ctx context.Context, token, pw string) (directory.User, error) {
	if err := checkPassword(pw); err != nil {
		return directory.User{}, fmt.Errorf("redeem invite: %w", err)
	}
	p, err := s.passwords()
	if err != nil {
		return directory.User{}, err
	}
	h, err := pwhash.Hash(ctx, pw)
	if err != nil {
		return directory.User{}, err
	}
	id, err := p.RedeemInvite(ctx, tokenHash(token), s.now(), h)
	if errors.Is(err, store.ErrNotFound) {
		return directory.User{}, fmt.Errorf("redeem invite: %w", errNoInvite)
	}
	if err != nil {
		return directory.User{}, fmt.Errorf("redeem invite: %w", own(err))
	}
	u, err := s.st.GetUser(ctx, id)
	if err != nil {
		return directory.User{}, fmt.Errorf("redeem invite: user %q: %w", id, own(err))
	}
	s.log.InfoContext(ctx, "invite redeemed", "user", u.UserPrincipalName)
	return u, nil
}

// tokenHash is the stored form of an invite token: its SHA-256, hex. A
// token has 256 random bits, so a fast hash suffices.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
