package scimsvc

import (
	"context"

	"github.com/provisio-dev/provisio/internal/pwhash"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// HashPasswords returns b with every SCIM "password" a client writes
// (Okta sends one when password sync is on) stored as an argon2id hash in
// PHC string format ("$argon2id$v=19$m=...") instead of the clear text.
// RFC 7643 §4.1.1 forbids returning the password in clear or hashed; the
// default projection already never returns it (returned "never"). An
// application that checks a password it receives later compares it with
// the stored hash (pwhash.Compare).
//
// A password is hashed when it is created or when an update sets a value
// other than the stored one (a PUT or PATCH with a new password); an
// update that leaves it alone keeps the stored hash. pwhash bounds the
// hashes running at once.
func HashPasswords(b backend.Backend) backend.Backend {
	return &passwordHasher{Backend: b}
}

type passwordHasher struct {
	backend.Backend
}

const passwordAttr = "password"

// Create implements [backend.Backend].
func (p *passwordHasher) Create(ctx context.Context, rt *scim.ResourceType, doc scim.Resource) (scim.Resource, error) {
	if err := p.hashNew(ctx, doc, ""); err != nil {
		return nil, err
	}
	return p.Backend.Create(ctx, rt, doc)
}

// Update implements [backend.Backend].
func (p *passwordHasher) Update(ctx context.Context, rt *scim.ResourceType, id, ifMatch string, change backend.Change, opts backend.GetOptions) (scim.Resource, error) {
	apply := change.Apply
	if apply != nil {
		change.Apply = func(cur scim.Resource) (scim.Resource, error) {
			stored, _ := cur[passwordAttr].(string)
			next, err := apply(cur)
			if err != nil {
				return nil, err
			}
			if err := p.hashNew(ctx, next, stored); err != nil {
				return nil, err
			}
			return next, nil
		}
	}
	return p.Backend.Update(ctx, rt, id, ifMatch, change, opts)
}

// hashNew replaces doc's password by its hash unless it is the stored
// hash itself.
func (p *passwordHasher) hashNew(ctx context.Context, doc scim.Resource, stored string) error {
	clear, ok := doc[passwordAttr].(string)
	if !ok || clear == stored {
		return nil
	}
	hash, err := pwhash.Hash(ctx, clear)
	if err != nil {
		return err
	}
	doc[passwordAttr] = hash
	return nil
}
