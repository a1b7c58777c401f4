package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/provisio-dev/provisio/internal/adminapi"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/oidc"
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

// newOIDC builds the OpenID provider over the store's signing keys and
// clients. Access tokens are encrypted with a per-process key: they live
// in memory only, like the codes.
func newOIDC(ctx context.Context, base string, st *sqlstore.Store, box *secretbox.Box, dir *dirsvc.Service, ui oidc.Client, admins web.Admins, log *slog.Logger) (http.Handler, error) {
	keys, err := loadOIDCKeys(ctx, st.OIDC(), box, log)
	if err != nil {
		return nil, err
	}
	var crypto [32]byte
	_, _ = rand.Read(crypto[:]) // crypto/rand.Read never fails
	h, err := oidc.New(oidc.Config{
		Issuer:    base + OIDCPrefix,
		Clients:   withUIClient{oidcClients{st.OIDC()}, ui},
		Directory: uiDirectory{oidcDirectory{dir: dir, src: st.Directory()}, admins},
		Auth:      dirPasswords{dir},
		Keys:      keys,
		CryptoKey: crypto,
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix(OIDCPrefix, h), nil
}

// loadOIDCKeys opens the stored signing keys (sealed with box, the key id
// as associated data); on first start it generates one and stores it.
func loadOIDCKeys(ctx context.Context, st store.OIDCStore, box *secretbox.Box, log *slog.Logger) (*oidc.KeySet, error) {
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
	if len(keys) == 0 {
		k, err := oidc.GenerateKey()
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.Private)
		if err != nil {
			return nil, fmt.Errorf("marshal oidc key: %w", err)
		}
		sealed, err := box.Seal(der, []byte(k.ID))
		if err != nil {
			return nil, fmt.Errorf("seal oidc key: %w", err)
		}
		if err := st.AddOIDCKey(ctx, store.OIDCKey{ID: k.ID, Private: sealed, Created: time.Now()}); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return oidc.NewKeySet(keys...)
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
	return oidc.Client{ID: sc.ClientID, AppID: sc.AppID, SecretHash: sc.SecretHash, RedirectURIs: sc.RedirectURIs, Public: sc.Public}, nil
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
