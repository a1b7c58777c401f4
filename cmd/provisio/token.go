package main

import (
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

// tokenOut is a tenant token as the admin API returns it.
type tokenOut struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
	Token   string     `json:"token,omitempty"`
}

func tokensPath(tenantID string) string {
	return "/api/v1/tenants/" + url.PathEscape(tenantID) + "/tokens"
}

func newTokenCmd(e *env, f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke a tenant's secret tokens",
		Long: `Create, list and revoke a tenant's secret tokens.

A tenant may have several live tokens, which is how a token is rotated: create a new one,
put it into the identity provider, then revoke the old one. A revoked token stops
working at once on the server that revoked it and within seconds on the others.`,
	}
	cmd.AddCommand(newTokenCreateCmd(e, f), newTokenListCmd(e, f), newTokenRevokeCmd(e, f))
	return cmd
}

func newTokenCreateCmd(e *env, f *clientFlags) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "create TENANT_ID",
		Short:   "Create a new secret token for a tenant (shown once)",
		Example: `  provisio tenant token create 3k9x0c2m7q1z --name entra-2026`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var tok tokenOut
			if err := f.call(cmd, e, "POST", tokensPath(args[0]), map[string]string{"name": name}, &tok, "create token for tenant "+args[0]); err != nil {
				return err
			}
			return printJSONOr(e, f, tok, fmt.Sprintf("Created token %s (%s).\n\n  Secret token: %s\n\nThe secret token is shown only now: store it in your identity provider.\n", tok.ID, tok.Name, tok.Token))
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "a label for the token (default: its last characters)")
	return cmd
}

func newTokenListCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list TENANT_ID",
		Short: "List a tenant's tokens, revoked ones included (never their secrets)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out struct {
				Tokens []tokenOut `json:"tokens"`
			}
			if err := f.call(cmd, e, "GET", tokensPath(args[0]), nil, &out, "list tokens of tenant "+args[0]); err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			rows := [][]string{{"ID", "NAME", "CREATED", "REVOKED"}}
			for _, t := range out.Tokens {
				revoked := "-"
				if t.Revoked != nil {
					revoked = t.Revoked.Format(time.RFC3339)
				}
				rows = append(rows, []string{t.ID, t.Name, t.Created.Format(time.RFC3339), revoked})
			}
			return printTable(e.stdout, rows)
		},
	}
}

func newTokenRevokeCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke TENANT_ID TOKEN_ID",
		Short: "Revoke a tenant's token",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.call(cmd, e, "DELETE", tokensPath(args[0])+"/"+url.PathEscape(args[1]), nil, nil, fmt.Sprintf("revoke token %s of tenant %s", args[1], args[0])); err != nil {
				return err
			}
			return printJSONOr(e, f, map[string]any{"tenant_id": args[0], "id": args[1], "revoked": true}, fmt.Sprintf("Revoked token %s of tenant %s.\n", args[1], args[0]))
		},
	}
}
