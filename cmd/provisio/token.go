package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/app"
	"github.com/provisio-dev/provisio/internal/config"
)

// tokenScope is whose tokens a token command manages: a tenant's (named
// by the first argument) or the admin API's.
type tokenScope struct {
	ownerArg string // the argument naming the owner ("" for the admin API)
	tokens   func(c *apiclient.Client, args []string) apiclient.Tokens
	owner    func(args []string) string // for messages
	whose    string                     // for help texts
	example  string                     // of create
	hint     string                     // after a created secret
}

var tenantTokens = tokenScope{
	ownerArg: "TENANT_ID",
	tokens:   func(c *apiclient.Client, args []string) apiclient.Tokens { return c.TenantTokens(args[0]) },
	owner:    func(args []string) string { return "tenant " + args[0] },
	whose:    "a tenant",
	example:  "  provisio tenant token create 3k9x0c2m7q1z --name entra-2026",
	hint:     "store it in your identity provider",
}

var adminTokens = tokenScope{
	tokens:  func(c *apiclient.Client, _ []string) apiclient.Tokens { return c.AdminTokens() },
	owner:   func([]string) string { return "the admin API" },
	whose:   "the admin API",
	example: "  provisio admin-token create --name ci",
	hint:    "give it to whoever needs the admin API ($" + config.AdminTokenEnv + ")",
}

// use is a subcommand's usage line with the owner argument, if any.
func (s tokenScope) use(verb string, more ...string) string {
	return strings.Join(append(append([]string{verb}, nonEmpty(s.ownerArg)...), more...), " ")
}

func (s tokenScope) nargs() int { return len(nonEmpty(s.ownerArg)) }

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
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
	cmd.AddCommand(newTokenCreateCmd(e, f, tenantTokens), newTokenListCmd(e, f, tenantTokens), newTokenRevokeCmd(e, f, tenantTokens))
	return cmd
}

func newAdminTokenCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin-token",
		Short: "Create, list, revoke and rotate the admin API's tokens",
		Long: `Create, list, revoke and rotate the tokens of the admin API (/api/v1).

"provisio serve" creates the first admin token on first start and writes it to
<data-dir>/admin.token. "admin-token rotate" replaces the token the CLI is using: it
creates a new one, revokes the old one, and rewrites admin.token when the token came
from there. The last valid admin token cannot be revoked. "admin-token reset" recovers
a lost admin token on the server's machine, without a token.

The server is --server (or $PROVISIO_SERVER, default http://127.0.0.1:8080). The admin
token is $PROVISIO_ADMIN_TOKEN or, if unset, the file admin.token in --data-dir (or
$PROVISIO_DATA_DIR, default ./provisio-data).`,
	}
	f := &clientFlags{}
	config.Register(cmd.PersistentFlags(), config.ClientOptions())
	cmd.PersistentFlags().BoolVar(&f.asJSON, "json", false, "print JSON instead of a table")
	cmd.AddCommand(newTokenCreateCmd(e, f, adminTokens), newTokenListCmd(e, f, adminTokens), newTokenRevokeCmd(e, f, adminTokens),
		newAdminTokenRotateCmd(e, f), newAdminTokenResetCmd(e, f))
	return cmd
}

func newTokenCreateCmd(e *env, f *clientFlags, s tokenScope) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     s.use("create"),
		Short:   "Create a new secret token for " + s.whose + " (shown once)",
		Example: s.example,
		Args:    cobra.ExactArgs(s.nargs()),
		RunE: func(cmd *cobra.Command, args []string) error {
			tok, err := run(cmd, e, f, "create token for "+s.owner(args), func(ctx context.Context, c *apiclient.Client) (apitypes.Token, error) {
				return s.tokens(c, args).Create(ctx, name)
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, tok, fmt.Sprintf("Created token %s (%s).\n\n  Secret token: %s\n\nThe secret token is shown only now: %s.\n", tok.ID, tok.Name, tok.Token, s.hint))
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "a label for the token (default: its last characters)")
	return cmd
}

func newTokenListCmd(e *env, f *clientFlags, s tokenScope) *cobra.Command {
	return &cobra.Command{
		Use:   s.use("list"),
		Short: "List the tokens of " + s.whose + ", revoked ones included (never their secrets)",
		Args:  cobra.ExactArgs(s.nargs()),
		RunE: func(cmd *cobra.Command, args []string) error {
			toks, err := run(cmd, e, f, "list tokens of "+s.owner(args), func(ctx context.Context, c *apiclient.Client) ([]apitypes.Token, error) {
				return s.tokens(c, args).List(ctx)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, apitypes.TokenList{Tokens: nonNil(toks)})
			}
			rows := [][]string{{"ID", "NAME", "CREATED", "REVOKED"}}
			for _, t := range toks {
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

func newTokenRevokeCmd(e *env, f *clientFlags, s tokenScope) *cobra.Command {
	return &cobra.Command{
		Use:   s.use("revoke", "TOKEN_ID"),
		Short: "Revoke a token of " + s.whose,
		Args:  cobra.ExactArgs(s.nargs() + 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[len(args)-1]
			if err := runErr(cmd, e, f, fmt.Sprintf("revoke token %s of %s", id, s.owner(args)), func(ctx context.Context, c *apiclient.Client) error {
				return s.tokens(c, args).Revoke(ctx, id)
			}); err != nil {
				return err
			}
			out := map[string]any{"id": id, "revoked": true}
			if s.ownerArg != "" {
				out["tenant_id"] = args[0]
			}
			return printJSONOr(e, f, out, fmt.Sprintf("Revoked token %s of %s.\n", id, s.owner(args)))
		},
	}
}

func newAdminTokenRotateCmd(e *env, f *clientFlags) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Replace the admin token in use by a new one (and update admin.token)",
		Long: `Replace the admin token the CLI is using: the server creates a new token, then
revokes the one presented. When the token came from <data-dir>/admin.token, the file is
rewritten (mode 0600) with the new token; when it came from $PROVISIO_ADMIN_TOKEN, the
new token is printed and the variable must be updated by hand.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, e)
			if err != nil {
				return err
			}
			tok, err := c.RotateAdminToken(cmd.Context(), name)
			if err != nil {
				return fmt.Errorf("rotate the admin token: %w", err)
			}
			where := "Set $" + config.AdminTokenEnv + " to it: the old token no longer works."
			if src := c.TokenSource(); !strings.HasPrefix(src, "$") {
				if err := config.WriteSecretFile(src, tok.Token); err != nil {
					return fmt.Errorf("the admin token was rotated, but %s could not be rewritten (%w); the new token is %s", src, err, tok.Token)
				}
				where = "Written to " + src + "; the old token no longer works."
			}
			return printJSONOr(e, f, tok, fmt.Sprintf("Rotated the admin token: new token %s (%s).\n\n  Admin token: %s\n\n%s\n", tok.ID, tok.Name, tok.Token, where))
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "a label for the new token (default: its last characters)")
	return cmd
}

func newAdminTokenResetCmd(e *env, f *clientFlags) *cobra.Command {
	name := "reset"
	cmd := &cobra.Command{
		Use:   "reset --data-dir DIR [--db URL]",
		Short: "Recover a lost admin token: write a new one to admin.token and revoke all others",
		Long: `Recover from a lost admin token. Run it on the server's own machine, as the user
that runs "provisio serve", with the server's --data-dir (and --db for PostgreSQL): it
needs access to the database, not a token, and does not talk to the server.

It writes a new admin token to <data-dir>/admin.token (mode 0600), only then stores it,
and revokes every other admin token, since a lost token may have been found. The token
is not printed: it is in the file. A running server accepts the new token at once and
refuses the revoked ones within 10 seconds; "admin-token create" makes new tokens for
other users of the admin API (CI) afterwards.`,
		Example: `  provisio admin-token reset --data-dir /var/lib/provisio
  PROVISIO_DB=postgres://... provisio admin-token reset --data-dir /var/lib/provisio`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.LoadStore(cmd.Flags(), e.getenv)
			if err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			tok, revoked, err := app.ResetAdminToken(cmd.Context(), cfg, name, log)
			if err != nil {
				return fmt.Errorf("reset the admin token: %w", err)
			}
			ids := []string{}
			for _, r := range revoked {
				ids = append(ids, r.ID)
			}
			out := map[string]any{"id": tok.ID, "name": tok.Name, "created": tok.Created, "file": cfg.AdminTokenPath(), "revoked": ids}
			msg := fmt.Sprintf("Reset the admin token: new token %s (%s) written to %s.\n", tok.ID, tok.Name, cfg.AdminTokenPath())
			if len(revoked) > 0 {
				msg += "Revoked the other admin tokens: " + strings.Join(ids, ", ") + ".\n"
			}
			return printJSONOr(e, f, out, msg)
		},
	}
	config.Register(cmd.Flags(), []config.Option{config.DBOption()})
	cmd.Flags().StringVar(&name, "name", name, "a label for the new token")
	return cmd
}
