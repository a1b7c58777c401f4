// Package oidckeys manages the OpenID provider's signing keys (issue 13):
// list, rotate, retire. Keys are ES256 (P-256) private keys stored
// sealed with internal/secretbox (the key id as associated data). The
// newest key not retired signs; older ones stay published in the JWKS
// (RFC 7517) until every id token they signed has expired, then a
// rotation or the periodic prune retires them.
package oidckeys

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// RetireAfter is how long a key stays published after its successor
// started signing: the id token lifetime (1 hour), plus the 30 seconds a
// node may keep signing with the keys it cached, plus 5 minutes of clock
// skew.
const RetireAfter = time.Hour + 30*time.Second + 5*time.Minute

// Store is what the service needs of the store.
type Store interface {
	OIDCKeys(ctx context.Context) ([]store.OIDCKey, error)
	AllOIDCKeys(ctx context.Context) ([]store.OIDCKey, error)
	AddOIDCKey(ctx context.Context, k store.OIDCKey) error
	RetireOIDCKey(ctx context.Context, id string, at time.Time) error
}

// Key is one signing key as listed.
type Key struct {
	ID      string
	Created time.Time
	Retired *time.Time
	Signing bool // the newest key not retired: it signs new tokens
}

// Service lists, rotates and retires signing keys.
type Service struct {
	St  Store
	Box *secretbox.Box
	Now func() time.Time // nil means time.Now
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// List returns every key, retired ones too, oldest first.
func (s *Service) List(ctx context.Context) ([]Key, error) {
	all, err := s.St.AllOIDCKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Key, len(all))
	signing := -1
	for i, k := range all {
		out[i] = Key{ID: k.ID, Created: k.Created, Retired: k.Retired}
		if k.Retired == nil {
			signing = i
		}
	}
	if signing >= 0 {
		out[signing].Signing = true
	}
	return out, nil
}

// Generate creates a new key and stores it sealed; from the next key
// re-read on each node (30 s at most) it signs.
func (s *Service) Generate(ctx context.Context) (Key, *ecdsa.PrivateKey, error) {
	if s.Box == nil {
		return Key{}, nil, svcerr.Errorf(svcerr.Invalid, "single sign-on is not configured")
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Key{}, nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Key{}, nil, fmt.Errorf("marshal signing key: %w", err)
	}
	k := Key{ID: uuid.NewString(), Created: s.now(), Signing: true}
	sealed, err := s.Box.Seal(der, []byte(k.ID))
	if err != nil {
		return Key{}, nil, fmt.Errorf("seal signing key: %w", err)
	}
	if err := s.St.AddOIDCKey(ctx, store.OIDCKey{ID: k.ID, Private: sealed, Created: k.Created}); err != nil {
		return Key{}, nil, err
	}
	return k, priv, nil
}

// Rotate adds a new signing key and retires the old keys whose tokens
// have all expired; it returns the new key and the ids retired.
func (s *Service) Rotate(ctx context.Context) (Key, []string, error) {
	k, _, err := s.Generate(ctx)
	if err != nil {
		return Key{}, nil, err
	}
	retired, err := s.RetireExpired(ctx)
	return k, retired, err
}

// RetireExpired retires every key whose successor has signed for longer
// than RetireAfter: no token it signed is still valid. The newest key is
// never retired.
func (s *Service) RetireExpired(ctx context.Context) ([]string, error) {
	keys, err := s.St.OIDCKeys(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var retired []string
	for i := 0; i+1 < len(keys); i++ {
		if now.Sub(keys[i+1].Created) < RetireAfter {
			continue
		}
		if err := s.St.RetireOIDCKey(ctx, keys[i].ID, now); err != nil {
			return retired, err
		}
		retired = append(retired, keys[i].ID)
	}
	return retired, nil
}
