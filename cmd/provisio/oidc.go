package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newOIDCCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("oidc", "Manage the OpenID provider's signing keys",
		`List and rotate the signing keys of Provisio's OpenID provider (issuer <public-url>/oidc).

The newest key signs new id tokens; older keys stay in the JWKS until every id token
they signed has expired (1 hour and margins), then "rotate-keys" or the server's hourly
prune retires them. Every node re-reads the keys within 30 seconds: no restart needed.`)
	cmd.AddCommand(newOIDCKeysCmd(e, f), newOIDCRotateKeysCmd(e, f))
	return cmd
}

func newOIDCKeysCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "keys",
		Short: "List the signing keys, retired ones too",
		Long: `List the OpenID provider's signing keys, oldest first: kid, created, retired, and
whether the key signs new tokens. With --json the output is {"keys":[{"kid","created","retired","signing"}]}.`,
		Example: `  provisio oidc keys --json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ks, err := run(cmd, e, f, "list oidc keys", func(ctx context.Context, c *apiclient.Client) (apitypes.OIDCKeys, error) {
				return c.OIDCKeys(ctx)
			})
			if err != nil {
				return err
			}
			var b strings.Builder
			tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KID\tCREATED\tRETIRED\tSIGNING")
			for _, k := range ks.Keys {
				retired := "-"
				if k.Retired != nil {
					retired = k.Retired.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", k.ID, k.Created.Format(time.RFC3339), retired, k.Signing)
			}
			_ = tw.Flush()
			return printJSONOr(e, f, ks, b.String())
		},
	}
}

func newOIDCRotateKeysCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "rotate-keys",
		Short: "Make a new signing key and retire the keys whose tokens have expired",
		Long: `Make a new signing key: it signs new tokens from now on, on every node within 30
seconds. Older keys stay in the JWKS until the id tokens they signed have expired; the
ones past that are retired now. With --json the output is {"signing":{...},"retired":[kid...]}.`,
		Example: `  provisio oidc rotate-keys --json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := run(cmd, e, f, "rotate oidc keys", func(ctx context.Context, c *apiclient.Client) (apitypes.RotatedOIDCKeys, error) {
				return c.RotateOIDCKeys(ctx)
			})
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("New signing key %s.\n", r.Signing.ID)
			if len(r.Retired) > 0 {
				msg += fmt.Sprintf("Retired: %s.\n", strings.Join(r.Retired, ", "))
			}
			return printJSONOr(e, f, r, msg)
		},
	}
}
