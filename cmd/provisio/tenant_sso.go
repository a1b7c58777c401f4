package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// newTenantSSOCmd is `tenant sso`: the tenant's OpenID provider, through
// which its users sign in to the app portal /app/TENANT_ID/.
func newTenantSSOCmd(e *env, f *clientFlags) *cobra.Command {
	var req apitypes.SetTenantSSO
	var secretFile string
	cmd := &cobra.Command{
		Use:   "sso TENANT_ID --issuer URL --client-id ID --client-secret-file FILE",
		Short: "Set the OpenID provider the tenant's users sign in with at /app/TENANT_ID/",
		Long: `Set the OpenID provider (Entra ID, Okta, Keycloak, any OpenID Connect provider) through
which the tenant's users sign in to the app portal <public-url>/app/TENANT_ID/. Register
<public-url>/app/TENANT_ID/callback as the client's redirect URI at the provider. The
client secret is read from --client-secret-file, stored encrypted and never shown.`,
		Example: `  provisio tenant sso 3k9x0c2m7q1z --issuer https://login.microsoftonline.com/TENANT/v2.0 \
    --client-id 00000000-0000-0000-0000-000000000000 --client-secret-file secret.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := e.readFile(secretFile)
			if err != nil {
				return fmt.Errorf("read --client-secret-file: %w", err)
			}
			if req.ClientSecret = strings.TrimSpace(string(b)); req.ClientSecret == "" {
				return fmt.Errorf("--client-secret-file %s is empty", secretFile)
			}
			s, err := run(cmd, e, f, "set sso of tenant "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TenantSSO, error) {
				return c.SetTenantSSO(ctx, args[0], req)
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, s, fmt.Sprintf("Tenant %s signs users in with %s (client id %s).\n", args[0], s.Issuer, s.ClientID))
		},
	}
	cmd.Flags().StringVar(&req.Issuer, "issuer", "", "the OpenID provider's issuer URL")
	cmd.Flags().StringVar(&req.ClientID, "client-id", "", "the portal's client id at the provider")
	cmd.Flags().StringVar(&secretFile, "client-secret-file", "", "a file holding the client secret")
	for _, name := range []string{"issuer", "client-id", "client-secret-file"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
