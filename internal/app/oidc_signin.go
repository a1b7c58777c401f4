package app

import (
	"context"
	"fmt"

	"github.com/provisio-dev/provisio/internal/clientip"
	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/oidc"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// oidcSignIn configures the provider's sign-in session (sealed with the
// server's secret key, so it survives a restart and works on every node
// sharing PROVISIO_SECRET_KEY), default throttling, and invite links.
// Behind --trusted-proxies, the throttle counts the forwarded client
// address (internal/clientip).
func oidcSignIn(cfg config.Serve, box *secretbox.Box, dir *dirsvc.Service) (oidc.SignIn, error) {
	proxies, err := clientip.Parse(cfg.TrustedProxies)
	if err != nil {
		return oidc.SignIn{}, fmt.Errorf("--%s: %w", config.FlagTrustedProxies, err)
	}
	return oidc.SignIn{SessionTTL: cfg.SSOSessionTTL, Sealer: box, Invites: dirInvites{dir}, TrustedProxies: proxies}, nil
}

// dirInvites redeems invite links with dirsvc.RedeemInvite.
type dirInvites struct{ dir *dirsvc.Service }

func (d dirInvites) RedeemInvite(ctx context.Context, token, pw string) error {
	_, err := d.dir.RedeemInvite(ctx, token, pw)
	switch svcerr.KindOf(err) {
	case 0:
		return err
	case svcerr.NotFound:
		return fmt.Errorf("%w: %w", oidc.ErrInvalidInvite, err)
	case svcerr.Invalid:
		return fmt.Errorf("%w: %w", oidc.ErrWeakPassword, err)
	}
	return err
}
