package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/provisio-dev/provisio/internal/adminapi"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/oidc"
	"github.com/provisio-dev/provisio/internal/oidckeys"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/internal/web"
)

// OIDCPrefix is where the OpenID provider is mounted: the issuer is
// <public-url>/oidc.
const OIDCPrefix = adminapi.IssuerPath

// newOIDC builds the OpenID provider over the store's signing keys,
// clients, authorization requests and tokens: every node sharing the
// store and the secret key serves the same issuer, without sticky
// sessions. Codes and access tokens are encrypted with a key derived from
// the secret key (HMAC-SHA-256), so any node reads another's.
func newOIDC(ctx context.Context, base string, st *sqlstore.Store, box *secretbox.Box, secretKey []byte, dir *dirsvc.Service, signIn oidc.SignIn, ui oidc.Client, admins web.Admins, log *slog.Logger) (http.Handler, error) {
	keys, err := loadOIDCKeys(ctx, oidcKeyService(st, box), st.OIDC(), box, log)
	if err != nil {
		return nil, err
	}
	crypto, err := oidcCryptoKey(secretKey)
	if err != nil {
		return nil, err
	}
	h, err := oidc.New(oidc.Config{
		Issuer:    base + OIDCPrefix,
		Clients:   withUIClient{oidcClients{st.OIDC()}, ui},
		Directory: uiDirectory{oidcDirectory{dir: dir, src: st.Directory()}, admins},
		Auth:      dirPasswords{dir},
		Keys:      keys,
		Grants:    OIDCGrants{st.OIDCGrants()},
		CryptoKey: crypto,
		Logger:    log,
		SignIn:    signIn,
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix(OIDCPrefix, h), nil
}

// oidcCryptoKey derives the provider's token encryption key from the
// secret key (derive: HKDF with its own label).
func oidcCryptoKey(secretKey []byte) ([32]byte, error) {
	var k [32]byte
	b, err := derive(secretKey, "provisio oidc token encryption v1")
	copy(k[:], b)
	return k, err
}

// loadOIDCKeys returns the provider's key set over the stored signing
// keys, re-read every oidc.KeyCacheTTL (a rotation elsewhere is picked
// up without a restart); on first start it generates one and stores it.
func loadOIDCKeys(ctx context.Context, svc *oidckeys.Service, st store.OIDCStore, box *secretbox.Box, log *slog.Logger) (*oidc.KeySet, error) {
	keys, err := openOIDCKeys(ctx, st, box, log)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		if _, _, err := svc.Generate(ctx); err != nil {
			return nil, err
		}
	}
	return oidc.NewStoredKeySet(ctx, func(ctx context.Context) ([]oidc.SigningKey, error) {
		return openOIDCKeys(ctx, st, box, log)
	}, oidc.KeyCacheTTL, log)
}

// oidcKeyService manages the stored signing keys.
func oidcKeyService(st *sqlstore.Store, box *secretbox.Box) *oidckeys.Service {
	return &oidckeys.Service{St: struct {
		store.OIDCStore
		store.OIDCGrantStore
	}{st.OIDC(), st.OIDCGrants()}, Box: box}
}

// openOIDCKeys opens the stored, not retired signing keys (sealed with
// box, the key id as associated data), oldest first.
func openOIDCKeys(ctx context.Context, st store.OIDCStore, box *secretbox.Box, log *slog.Logger) ([]oidc.SigningKey, error) {
	stored, err := st.OIDCKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("oidc keys: %w", err)
	}
	var keys []oidc.SigningKey
	for _, sk := range stored {
		der, err := box.Open(sk.Private, []byte(sk.ID))
		if err != nil {
			// Another node with another secret key made it: skip it, as
			// its Secret Tokens are unreadable here too.
			log.WarnContext(ctx, "oidc signing key sealed with another secret key: not published by this node; give every node the same PROVISIO_SECRET_KEY", "kid", sk.ID, "err", err)
			continue
		}
		priv, err := x509.ParsePKCS8PrivateKey(der)
		ec, ok := priv.(*ecdsa.PrivateKey)
		if err != nil || !ok {
			return nil, fmt.Errorf("parse oidc key %q: not an ECDSA PKCS#8 key: %w", sk.ID, err)
		}
		keys = append(keys, oidc.SigningKey{ID: sk.ID, Private: ec})
	}
	return keys, nil
}

// oidcClients reads the applications' clients from the store.
type oidcClients struct{ st store.OIDCStore }

func (c oidcClients) Client(ctx context.Context, id string) (oidc.Client, error) {
	sc, err := c.st.OIDCClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return oidc.Client{}, fmt.Errorf("client %q: %w", id, oidc.ErrNotFound)
	}
	if err != nil {
		return oidc.Client{}, err
	}
	return oidc.Client{ID: sc.ClientID, AppID: sc.AppID, SecretHash: sc.SecretHash, RedirectURIs: sc.RedirectURIs, Public: sc.Public,
		PostLogoutRedirectURIs: sc.PostLogoutRedirectURIs, AssignmentOptional: sc.AssignmentOptional}, nil
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
		GivenName: u.GivenName, Surname: u.Surname, Enabled: u.AccountEnabled && !u.SoftDeleted()}, nil
}

func (d oidcDirectory) Assigned(ctx context.Context, appID, userID string) (bool, error) {
	o, _, ok, err := provisioning.ScopedObject(ctx, d.src, provisioning.ScopeAssigned, appID, provisioning.TypeUser, userID)
	if err != nil {
		return false, fmt.Errorf("assignment of user %q to app %q: %w", userID, appID, err)
	}
	return ok && !o.SoftDeleted, nil
}

// AppRoles is the user's appRoleAssignments for the application, as the
// provisioning engine computes them (its own assignment's role, then its
// groups'); none for a user out of scope.
func (d oidcDirectory) AppRoles(ctx context.Context, appID, userID string) ([]string, error) {
	o, _, ok, err := provisioning.ScopedObject(ctx, d.src, provisioning.ScopeAssigned, appID, provisioning.TypeUser, userID)
	if err != nil {
		return nil, fmt.Errorf("roles of user %q in app %q: %w", userID, appID, err)
	}
	if !ok || o.SoftDeleted {
		return nil, nil
	}
	return o.Roles, nil
}

// dirPasswords checks passwords with dirsvc.VerifyPassword.
type dirPasswords struct{ dir *dirsvc.Service }

func (d dirPasswords) Authenticate(ctx context.Context, upn, pw string) (string, error) {
	u, err := d.dir.VerifyPassword(ctx, upn, pw)
	if errors.Is(err, dirsvc.ErrBadCredentials) {
		return "", fmt.Errorf("sign in %q: %w", upn, oidc.ErrBadCredentials)
	}
	if err != nil {
		return "", err
	}
	return u.ObjectID, nil
}
