package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// newUserSetAdminCmd is `user set-admin USER [--off]`: the administrator
// role the coming admin web UI lets in (docs/sso.md, Administrators).
func newUserSetAdminCmd(e *env, f *clientFlags) *cobra.Command {
	var off bool
	cmd := &cobra.Command{
		Use:   "set-admin USER [--off]",
		Short: "Grant a user the administrator role (or revoke it with --off)",
		Long: `Grant a directory user the administrator role, or revoke it with --off. Administrators
sign in to Provisio's admin web UI through its own OpenID provider; the UI lets in an enabled,
not deleted user with this role. It is not an app role and never appears in an application's
tokens. "provisio user show USER --json" shows it as "admin". The change is audited.`,
		Example: `  provisio user set-admin alice@contoso.com
  provisio user set-admin alice@contoso.com --off --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := run(cmd, e, f, "set admin role of user "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.User, error) {
				return c.SetAdmin(ctx, args[0], !off)
			})
			if err != nil {
				return err
			}
			msg := "Granted the administrator role to " + u.UserPrincipalName + "\n"
			if off {
				msg = "Revoked the administrator role of " + u.UserPrincipalName + "\n"
			}
			return printJSONOr(e, f, u, msg)
		},
	}
	cmd.Flags().BoolVar(&off, "off", false, "revoke the role")
	return cmd
}
