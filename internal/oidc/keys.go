package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
)

// SigningKey is one ES256 key: the newest non-retired key signs, and every
// non-retired key is published in the JWKS (RFC 7517) so tokens signed
// before a rotation still verify until they expire.
type SigningKey struct {
	ID      string
	Private *ecdsa.PrivateKey
}

// KeySet holds the provider's signing keys, newest last.
type KeySet struct {
	mu   sync.RWMutex
	keys []SigningKey

	// With a loader, keys are re-read every ttl, so that a key rotated
	// on another node (or by the CLI) signs here too without a restart.
	load     KeyLoader
	ttl      time.Duration
	loadedAt time.Time
	log      *slog.Logger
}

// KeyLoader returns the published keys, newest last.
type KeyLoader func(ctx context.Context) ([]SigningKey, error)

// KeyCacheTTL is how long a node signs with and publishes the keys it
// read before reading them again.
const KeyCacheTTL = 30 * time.Second

// NewStoredKeySet returns a key set that reads its keys with load now and
// again once they are older than ttl; a failed re-read keeps the keys it
// has (and is logged).
func NewStoredKeySet(ctx context.Context, load KeyLoader, ttl time.Duration, log *slog.Logger) (*KeySet, error) {
	keys, err := load(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("oidc: no signing key")
	}
	return &KeySet{keys: keys, load: load, ttl: ttl, loadedAt: time.Now(), log: cmpLogger(log)}, nil
}

// refresh re-reads the keys when they are older than the ttl.
func (ks *KeySet) refresh(ctx context.Context) {
	if ks.load == nil {
		return
	}
	ks.mu.RLock()
	fresh := time.Since(ks.loadedAt) < ks.ttl
	ks.mu.RUnlock()
	if fresh {
		return
	}
	ks.Reload(ctx)
}

// Reload re-reads the keys now (no-op without a loader).
func (ks *KeySet) Reload(ctx context.Context) {
	if ks.load == nil {
		return
	}
	keys, err := ks.load(ctx)
	if err == nil && len(keys) == 0 {
		err = errors.New("no signing key")
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.loadedAt = time.Now()
	if err != nil {
		ks.log.WarnContext(ctx, "oidc: re-read signing keys; keeping the ones read before", "err", err)
		return
	}
	ks.keys = keys
}

func (ks *KeySet) signer(ctx context.Context) (SigningKey, error) {
	ks.refresh(ctx)
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	if len(ks.keys) == 0 {
		return SigningKey{}, errors.New("oidc: no signing key")
	}
	return ks.keys[len(ks.keys)-1], nil
}

func (ks *KeySet) published(ctx context.Context) []SigningKey {
	ks.refresh(ctx)
	return ks.Keys()
}

// NewKeySet returns a key set over keys (newest last); with none it
// generates one.
func NewKeySet(keys ...SigningKey) (*KeySet, error) {
	ks := &KeySet{keys: keys}
	if len(keys) == 0 {
		if _, err := ks.Rotate(); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// GenerateKey returns a new P-256 key with a random id.
func GenerateKey() (SigningKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return SigningKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	return SigningKey{ID: uuid.NewString(), Private: priv}, nil
}

// Rotate adds a new signing key; older keys stay published until retired.
func (ks *KeySet) Rotate() (SigningKey, error) {
	k, err := GenerateKey()
	if err != nil {
		return SigningKey{}, err
	}
	ks.mu.Lock()
	ks.keys = append(ks.keys, k)
	ks.mu.Unlock()
	return k, nil
}

// Retire stops publishing the key with id.
func (ks *KeySet) Retire(id string) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	out := ks.keys[:0]
	for _, k := range ks.keys {
		if k.ID != id {
			out = append(out, k)
		}
	}
	ks.keys = out
}

// Keys returns the published keys, newest last.
func (ks *KeySet) Keys() []SigningKey {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return append([]SigningKey(nil), ks.keys...)
}

// signingKey adapts SigningKey to op.SigningKey.
type signingKey struct{ k SigningKey }

func (s signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (s signingKey) Key() any                                    { return s.k.Private }
func (s signingKey) ID() string                                  { return s.k.ID }

// publicKey adapts SigningKey to op.Key (the JWKS entry).
type publicKey struct{ k SigningKey }

func (p publicKey) ID() string                         { return p.k.ID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.Private.PublicKey }
