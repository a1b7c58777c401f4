package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/config"
)

// clientFlags are the flags every admin-API command shares.
type clientFlags struct {
	asJSON bool
}

// client resolves --server, --data-dir and the admin token now, when a
// command runs, so --help works without any of them.
func (f *clientFlags) client(cmd *cobra.Command, e *env) (*apiclient.Client, error) {
	cfg, err := config.LoadClient(cmd.Flags(), e.getenv, e.readFile)
	if err != nil {
		return nil, err
	}
	return apiclient.New(cfg.Server, cfg.Token, apiclient.Options{TokenSource: cfg.TokenSource, Transport: e.transport}), nil
}

// run resolves the client from the flags and calls do with it; a failed
// call is wrapped as "what: …".
func run[T any](cmd *cobra.Command, e *env, f *clientFlags, what string, do func(context.Context, *apiclient.Client) (T, error)) (T, error) {
	c, err := f.client(cmd, e)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := do(cmd.Context(), c)
	if err != nil {
		return v, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// runErr is run for calls that answer nothing.
func runErr(cmd *cobra.Command, e *env, f *clientFlags, what string, do func(context.Context, *apiclient.Client) error) error {
	_, err := run(cmd, e, f, what, func(ctx context.Context, c *apiclient.Client) (struct{}, error) { return struct{}{}, do(ctx, c) })
	return err
}

func newTenantCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tenant",
		Short: "Manage the SCIM service's tenants, their tokens and change feeds",
		Long: `Manage tenants through the admin API of a running server.

The server is --server (or $PROVISIO_SERVER, default http://127.0.0.1:8080). The admin
token is $PROVISIO_ADMIN_TOKEN or, if unset, the file admin.token in --data-dir (or
$PROVISIO_DATA_DIR, default ./provisio-data) that "provisio serve" writes on first start.`,
	}
	f := &clientFlags{}
	config.Register(cmd.PersistentFlags(), config.ClientOptions())
	cmd.PersistentFlags().BoolVar(&f.asJSON, "json", false, "print JSON instead of a table")
	cmd.AddCommand(newTenantCreateCmd(e, f), newTenantListCmd(e, f), newTenantDeleteCmd(e, f),
		newTenantEventsCmd(e, f), newTokenCmd(e, f), newPolicyCmd(e, f), newTenantSSOCmd(e, f))
	return cmd
}

func newTenantCreateCmd(e *env, f *clientFlags) *cobra.Command {
	var policy string
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a tenant and print its Tenant URL and first secret token",
		Long: `Create a tenant and print its Tenant URL and first secret token.

The token is shown only this once: paste the Tenant URL and the token into Entra ID,
Okta or another SCIM client. With --json the output is {"id","name","tenant_url","token"}.`,
		Example: `  provisio tenant create "Contoso" --policy entra
  provisio tenant create acme --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := apitypes.CreateTenant{Name: args[0]}
			if policy != "" {
				b, err := json.Marshal(policy) // a preset's name
				if err != nil {
					return err
				}
				req.Policy = b
			}
			t, err := run(cmd, e, f, "create tenant", func(ctx context.Context, c *apiclient.Client) (apitypes.Tenant, error) {
				return c.CreateTenant(ctx, req)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, map[string]string{"id": t.ID, "name": t.Name, "tenant_url": t.TenantURL, "token": t.Token})
			}
			_, err = fmt.Fprintf(e.stdout, "Created tenant %q.\n\n  ID:           %s\n  Tenant URL:   %s\n  Secret token: %s\n\nThe secret token is shown only now: store it in your identity provider.\n",
				t.Name, t.ID, t.TenantURL, t.Token)
			return err
		},
	}
	cmd.Flags().StringVar(&policy, "policy", "", "compatibility policy preset: default, entra, okta or rfc (default \"default\")")
	return cmd
}

func newTenantListCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List tenants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ts, err := run(cmd, e, f, "list tenants", func(ctx context.Context, c *apiclient.Client) ([]apitypes.Tenant, error) { return c.Tenants(ctx) })
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, apitypes.TenantList{Tenants: nonNil(ts)})
			}
			rows := [][]string{{"ID", "NAME", "TENANT URL", "CREATED", "SSO ISSUER"}}
			for _, t := range ts {
				issuer := "-"
				if t.SSO != nil {
					issuer = t.SSO.Issuer
				}
				rows = append(rows, []string{t.ID, t.Name, t.TenantURL, t.Created.Format(time.RFC3339), issuer})
			}
			return printTable(e.stdout, rows)
		},
	}
}

func newTenantDeleteCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete TENANT_ID",
		Short: "Delete a tenant with all its tokens, users, groups and events",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := runErr(cmd, e, f, "delete tenant "+args[0], func(ctx context.Context, c *apiclient.Client) error {
				return c.DeleteTenant(ctx, args[0])
			}); err != nil {
				return err
			}
			return printJSONOr(e, f, map[string]any{"id": args[0], "deleted": true}, fmt.Sprintf("Deleted tenant %s.\n", args[0]))
		},
	}
}

func newTenantEventsCmd(e *env, f *clientFlags) *cobra.Command {
	var after int64
	var limit int
	cmd := &cobra.Command{
		Use:   "events TENANT_ID",
		Short: "Print a page of a tenant's change feed",
		Long: `Print the tenant's change feed: every create, update and delete of a user or group,
in order. Page with --after set to the last seq seen (next_after in --json output).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := run(cmd, e, f, "read events of tenant "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.EventPage, error) {
				return c.Events(ctx, args[0], after, limit)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			rows := [][]string{{"SEQ", "TIME", "OP", "TYPE", "RESOURCE ID"}}
			for _, ev := range out.Events {
				rows = append(rows, []string{strconv.FormatInt(ev.Seq, 10), ev.Time.Format(time.RFC3339), ev.Op, ev.ResourceType, ev.ResourceID})
			}
			return printTable(e.stdout, rows)
		},
	}
	cmd.Flags().Int64Var(&after, "after", 0, "print events with a seq greater than this")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many events (server default 100, at most 1000)")
	return cmd
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// printTable writes rows as aligned columns, the first row a header.
func printTable(w io.Writer, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		for i, cell := range r {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, cell)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
