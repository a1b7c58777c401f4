package app

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/provisio-dev/provisio/internal/adminapi"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/oidc"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/web"
)

// appAdmins asks a.admins at each request (tests set it after New).
type appAdmins struct{ a *App }

func (x appAdmins) IsAdmin(ctx context.Context, userID string) (bool, error) {
	if x.a.admins == nil {
		return false, nil
	}
	return x.a.admins.IsAdmin(ctx, userID)
}

// derive is a key derived from the secret key for one use (HKDF, RFC
// 5869), so no secret of one use opens or passes in another.
func derive(key []byte, info string) ([]byte, error) {
	return hkdf.Key(sha256.New, key, nil, info, secretbox.KeySize)
}

// uiClientSecret is the web UI's client secret at the provider: derived
// from the secret key, so every node with the same key agrees on it.
func uiClientSecret(key []byte) (string, error) {
	k, err := derive(key, "provisio admin ui client secret")
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(k), nil
}

// uiClient is the web UI's built-in confidential client at the provider,
// redirecting to <public-url>/ui/callback; its "application" is the UI
// (uiDirectory lets only administrators through).
func uiClient(base string, key []byte) (oidc.Client, error) {
	secret, err := uiClientSecret(key)
	if err != nil {
		return oidc.Client{}, err
	}
	return oidc.Client{ID: web.ClientID, AppID: web.ClientID, SecretHash: dirsvc.HashClientSecret(secret),
		RedirectURIs: []string{base + web.Prefix + "callback"}}, nil
}

// withUIClient serves the UI's client next to the stored ones.
type withUIClient struct {
	oidc.Clients
	ui oidc.Client
}

func (c withUIClient) Client(ctx context.Context, id string) (oidc.Client, error) {
	if id == c.ui.ID {
		return c.ui, nil
	}
	return c.Clients.Client(ctx, id)
}

// uiDirectory: a user is "assigned" to the UI's client when an
// administrator; other applications as the directory says.
type uiDirectory struct {
	oidc.Directory
	admins web.Admins
}

func (d uiDirectory) Assigned(ctx context.Context, appID, userID string) (bool, error) {
	if appID == web.ClientID {
		return d.admins.IsAdmin(ctx, userID)
	}
	return d.Directory.Assigned(ctx, appID, userID)
}

// newWeb builds the admin web UI over the admin API (in-process, as the
// signed-in administrator) and the provider (in-process too).
func (a *App) newWeb(api *adminapi.API) (*web.UI, error) {
	secret, err := uiClientSecret(a.key)
	if err != nil {
		return nil, fmt.Errorf("start web ui: %w", err)
	}
	cookieKey, err := derive(a.key, "provisio admin ui cookies")
	if err != nil {
		return nil, fmt.Errorf("start web ui: %w", err)
	}
	ui, err := web.New(web.Config{API: api.InProcess(), Admins: appAdmins{a}, BaseURL: a.base,
		Issuer: a.base + OIDCPrefix, ClientSecret: secret, Key: cookieKey, Logger: a.log,
		ProviderClient: &http.Client{Transport: web.HandlerTransport(a.oidc)}})
	if err != nil {
		return nil, fmt.Errorf("start web ui: %w", err)
	}
	return ui, nil
}
