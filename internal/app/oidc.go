package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"

	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/oidc"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// OIDCPrefix is where the OpenID provider is mounted: the issuer is
// <public-url>/oidc.
const OIDCPrefix = "/oidc"

// newOIDC builds the OpenID provider. The signing key is generated at start
// and access tokens are encrypted with a per-process key: both live only as
// long as the process, like the in-memory codes and tokens.
func newOIDC(base string, st *sqlstore.Store, dir *dirsvc.Service) (http.Handler, error) {
	keys, err := oidc.NewKeySet()
	if err != nil {
		return nil, fmt.Errorf("oidc keys: %w", err)
	}
	var crypto [32]byte
	_, _ = rand.Read(crypto[:]) // crypto/rand.Read never fails
	h, err := oidc.New(oidc.Config{
		Issuer:    base + OIDCPrefix,
		Clients:   noClients{},
		Directory: oidcDirectory{dir: dir, src: st.Directory()},
		Auth:      noPasswords{},
		Keys:      keys,
		CryptoKey: crypto,
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix(OIDCPrefix, h), nil
}

// oidcDirectory reads claims from the directory service and decides
// assignment as a provisioning job of scope "assigned" does (directly or
// through a group; disabled and soft-deleted users are out).
type oidcDirectory struct {
	dir *dirsvc.Service
	src provisioning.Source
}

func (d oidcDirectory) User(ctx context.Context, id string) (oidc.User, error) {
	u, err := d.dir.GetUser(ctx, id)
	if svcerr.KindOf(err) == svcerr.NotFound {
		return oidc.User{}, fmt.Errorf("user %q: %w", id, oidc.ErrNotFound)
	}
	if err != nil {
		return oidc.User{}, err
	}
	return oidc.User{ID: u.ObjectID, UserPrincipalName: u.UserPrincipalName, Email: u.Mail, DisplayName: u.DisplayName,
		GivenName: u.GivenName, Surname: u.Surname, Enabled: u.AccountEnabled}, nil
}

func (d oidcDirectory) Assigned(ctx context.Context, appID, userID string) (bool, error) {
	o, _, ok, err := provisioning.ScopedObject(ctx, d.src, provisioning.ScopeAssigned, appID, provisioning.TypeUser, userID)
	if err != nil {
		return false, fmt.Errorf("assignment of user %q to app %q: %w", userID, appID, err)
	}
	return ok && !o.SoftDeleted, nil
}

// noClients is the client registry until `provisio app sso` lands: no
// application has a client yet.
type noClients struct{}

func (noClients) Client(_ context.Context, id string) (oidc.Client, error) {
	return oidc.Client{}, fmt.Errorf("client %q: %w", id, oidc.ErrNotFound)
}

// noPasswords refuses every sign-in until directory passwords land
// (dirsvc.VerifyPassword, branch passwords).
type noPasswords struct{}

func (noPasswords) Authenticate(context.Context, string, string) (string, error) {
	return "", oidc.ErrBadCredentials
}
