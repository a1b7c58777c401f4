package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"sync"

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

func (ks *KeySet) current() SigningKey {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return ks.keys[len(ks.keys)-1]
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
