package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
)

// Token prefixes make a leaked secret recognisable (secret scanners,
// logs, support tickets) and tell the two kinds apart at a glance.
const (
	TenantTokenPrefix = "pvt_" // a tenant's SCIM secret token
	AdminTokenPrefix  = "pva_" // an admin API token
)

// tokenBytes is the entropy of every token: 256 bits from crypto/rand.
const tokenBytes = 32

// encodedLen is the length of the base64url (no padding) part of a token.
var encodedLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// Hash is the SHA-256 of a token: the only form a token is stored in.
//
// A fast hash is right here, and a slow password KDF (bcrypt, argon2)
// would be wrong: KDFs exist to make guessing low-entropy human passwords
// expensive, but these tokens carry 256 random bits, so no dictionary or
// brute-force attack on a leaked hash is feasible whatever the hash costs.
// SHA-256 is preimage-resistant, and being fast and deterministic it lets
// the store index tokens by hash, so verifying a token is one indexed
// lookup instead of a KDF run against every stored token.
type Hash [sha256.Size]byte

// NewToken returns a fresh token: prefix followed by 256 random bits in
// base64url without padding.
func NewToken(prefix string) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the SHA-256 of token.
func HashToken(token string) Hash {
	return sha256.Sum256([]byte(token))
}

// WellFormed reports whether token has prefix and the length and alphabet
// of a token NewToken made. Callers reject other strings before any
// lookup, so garbage never reaches the store.
func WellFormed(token, prefix string) bool {
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok || len(rest) != encodedLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

// Equal compares two hashes in constant time (crypto/subtle), so the time
// a comparison takes reveals nothing about where they differ.
// other is a stored hash as bytes; one of another length never matches.
func (h Hash) Equal(other []byte) bool {
	return subtle.ConstantTimeCompare(h[:], other) == 1
}

// Hint is the part of a token that is safe to show in listings so an
// administrator can tell tokens apart: the prefix and the last four
// characters (24 of 256 bits).
func Hint(token string) string {
	if len(token) < 8 {
		return ""
	}
	return token[:strings.IndexByte(token, '_')+1] + "…" + token[len(token)-4:]
}
