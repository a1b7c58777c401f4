package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newAppSSOCmd(e *env, f *clientFlags) *cobra.Command {
	var req apitypes.SetSSOClient
	var show, del, assignment bool
	cmd := &cobra.Command{
		Use:   "sso APP (--redirect-uri URI... [--post-logout-redirect-uri URI...] [--public] [--assignment-required=BOOL] | --assignment-required=BOOL | --show | --delete)",
		Short: "Create, rotate, show or delete an application's OpenID Connect client",
		Long: `Create the application's OpenID Connect client for single sign-on with Provisio's
OpenID provider, or replace it with a new client id and secret. The secret is shown
this once and stored hashed. Redirect URIs are matched exactly (https, or http on
localhost). A --public client has no secret and must use PKCE (S256).
--post-logout-redirect-uri registers where the provider's end_session endpoint may send
the user back after logout (OpenID Connect RP-Initiated Logout; exact match, same rules).
With --json the output is {"client_id","client_secret","issuer"}.

--assignment-required (on by default): only users assigned to the application, directly
or through a group, may sign in to it. --assignment-required=false lets any enabled
directory user sign in (the roles claim still comes only from existing assignments).
Alone, it changes the setting and keeps the client id and secret; a rotation keeps
the setting unless the flag is given.

--show prints the client (never the secret, only whether one is set); --delete deletes it:
its client id stops working at once.`,
		Example: `  provisio app sso "Uni-tel Portal" --redirect-uri https://portal.example.com/callback --json
  provisio app sso "Uni-tel Portal" --redirect-uri https://portal.example.com/callback \
      --post-logout-redirect-uri https://portal.example.com/
  provisio app sso "Uni-tel Portal" --assignment-required=false
  provisio app sso "Uni-tel Portal" --show --json
  provisio app sso "Uni-tel Portal" --delete`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set := len(req.RedirectURIs) > 0 || len(req.PostLogoutRedirectURIs) > 0 || req.Public
			setAssignment := cmd.Flags().Changed("assignment-required")
			if setAssignment {
				req.AssignmentRequired = &assignment
			}
			switch {
			case show && del, (show || del) && (set || setAssignment):
				return errors.New("use one of --redirect-uri, --assignment-required, --show and --delete")
			case setAssignment && !set:
				c, err := run(cmd, e, f, "update sso client of app "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.SSOClientInfo, error) {
					return c.UpdateSSOClient(ctx, args[0], apitypes.UpdateSSOClient{AssignmentRequired: &assignment})
				})
				if err != nil {
					return err
				}
				return printJSONOr(e, f, c, ssoClientText(c))
			case show:
				c, err := run(cmd, e, f, "show sso client of app "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.SSOClientInfo, error) {
					return c.GetSSOClient(ctx, args[0])
				})
				if err != nil {
					return err
				}
				return printJSONOr(e, f, c, ssoClientText(c))
			case del:
				if err := runErr(cmd, e, f, "delete sso client of app "+args[0], func(ctx context.Context, c *apiclient.Client) error {
					return c.DeleteSSOClient(ctx, args[0])
				}); err != nil {
					return err
				}
				return printJSONOr(e, f, map[string]string{"app": args[0], "deleted": "sso client"}, "Deleted the OpenID Connect client of "+args[0]+"\n")
			case len(req.RedirectURIs) == 0:
				return errors.New("--redirect-uri is required to create or rotate the client (or use --show or --delete)")
			}
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
	cmd.Flags().StringArrayVar(&req.PostLogoutRedirectURIs, "post-logout-redirect-uri", nil, "a URI the end_session endpoint may send the user back to (repeat for several)")
	cmd.Flags().BoolVar(&req.Public, "public", false, "a public client: no secret, PKCE required")
	cmd.Flags().BoolVar(&assignment, "assignment-required", true, "only users assigned to the application (directly or through a group) may sign in; =false: any enabled directory user")
	cmd.Flags().BoolVar(&show, "show", false, "show the client (never its secret)")
	cmd.Flags().BoolVar(&del, "delete", false, "delete the client")
	return cmd
}

func ssoClientText(c apitypes.SSOClientInfo) string {
	kind := "confidential (secret set)"
	if c.Public {
		kind = "public (PKCE, no secret)"
	} else if !c.HasSecret {
		kind = "confidential (no secret set)"
	}
	none := func(s []string) string {
		if len(s) == 0 {
			return "(none)"
		}
		return strings.Join(s, " ")
	}
	assigned := "yes (only assigned users sign in)"
	if !c.AssignmentRequired {
		assigned = "no (any enabled directory user signs in)"
	}
	return fmt.Sprintf("Issuer:                    %s\nClient id:                 %s\nType:                      %s\nRedirect URIs:             %s\nPost-logout redirect URIs: %s\nAssignment required:       %s\nUpdated:                   %s\n",
		c.Issuer, c.ClientID, kind, none(c.RedirectURIs), none(c.PostLogoutRedirectURIs), assigned, c.Updated.Format("2006-01-02 15:04:05Z07:00"))
}
