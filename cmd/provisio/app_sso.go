package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newAppSSOCmd(e *env, f *clientFlags) *cobra.Command {
	var req apitypes.SetSSOClient
	cmd := &cobra.Command{
		Use:   "sso APP --redirect-uri URI... [--public]",
		Short: "Create an application's OpenID Connect client, or rotate its secret",
		Long: `Create the application's OpenID Connect client for single sign-on with Provisio's
OpenID provider, or replace it with a new client id and secret. The secret is shown
this once and stored hashed. Redirect URIs are matched exactly (https, or http on
localhost). A --public client has no secret and must use PKCE (S256).
With --json the output is {"client_id","client_secret","issuer"}.`,
		Example: `  provisio app sso "Uni-tel Portal" --redirect-uri https://portal.example.com/callback --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := run(cmd, e, f, "set sso client of app "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.SSOClient, error) {
				return c.SetSSOClient(ctx, args[0], req)
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, c, fmt.Sprintf("Issuer:        %s\nClient id:     %s\nClient secret: %s (shown once)\n", c.Issuer, c.ClientID, c.ClientSecret))
		},
	}
	cmd.Flags().StringArrayVar(&req.RedirectURIs, "redirect-uri", nil, "a redirect URI (repeat for several)")
	cmd.Flags().BoolVar(&req.Public, "public", false, "a public client: no secret, PKCE required")
	_ = cmd.MarkFlagRequired("redirect-uri")
	return cmd
}
