// Package pwhash owns how Provisio hashes the passwords it keeps (the
// SCIM service provider's, internal/scimsvc, and the directory's,
// internal/dirsvc): argon2id (RFC 9106) with OWASP's minimum parameters,
// stored in PHC string format ("$argon2id$v=19$m=..."), at most GOMAXPROCS
// hashes at once.
package pwhash

import (
	"context"
	"fmt"
	"runtime"

	"github.com/alexedwards/argon2id"
)

// Params are the argon2id parameters of new hashes: OWASP's minimum for
// argon2id (19 MiB, 2 passes, 1 lane), about 20 ms a hash on one core.
// A stored hash carries its own parameters, so changing them later does
// not break Compare.
var Params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// slots bounds the hashes and comparisons running at once to GOMAXPROCS,
// which bounds their memory (Params.Memory each) under a burst of
// sign-ins or SCIM writes.
var slots = make(chan struct{}, runtime.GOMAXPROCS(0))

// acquire takes a slot, or fails when ctx ends first.
func acquire(ctx context.Context) error {
	select {
	case slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hash returns the argon2id hash of password with a random salt.
func Hash(ctx context.Context, password string) (string, error) {
	if err := acquire(ctx); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	defer func() { <-slots }()
	h, err := argon2id.CreateHash(password, Params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// Compare reports whether password matches hash, in constant time; an
// error means hash is not a valid argon2id hash.
func Compare(ctx context.Context, password, hash string) (bool, error) {
	if err := acquire(ctx); err != nil {
		return false, fmt.Errorf("compare password: %w", err)
	}
	defer func() { <-slots }()
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("compare password: %w", err)
	}
	return ok, nil
}
