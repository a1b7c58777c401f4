package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/config"
)

// tenantOut is a tenant as the admin API returns it.
type tenantOut struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	TenantURL string    `json:"tenant_url"`
	Created   time.Time `json:"created"`
	Token     string    `json:"token,omitempty"`
}

// clientFlags are the flags every admin-API command shares.
type clientFlags struct {
	asJSON bool
}

// client resolves --server, --data-dir and the admin token now, when a
// command runs, so --help works without any of them.
func (f *clientFlags) client(cmd *cobra.Command, e *env) (*apiClient, error) {
	cfg, err := config.LoadClient(cmd.Flags(), e.getenv, e.readFile)
	if err != nil {
		return nil, err
	}
	return newAPIClient(cfg, e.transport), nil
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
		newTenantEventsCmd(e, f), newTokenCmd(e, f), newPolicyCmd(e, f))
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
			req := map[string]string{"name": args[0]}
			if policy != "" {
				req["policy"] = policy
			}
			var t tenantOut
			if err := f.call(cmd, e, "POST", "/api/v1/tenants", req, &t, "create tenant"); err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, struct {
					ID        string `json:"id"`
					Name      string `json:"name"`
					TenantURL string `json:"tenant_url"`
					Token     string `json:"token"`
				}{t.ID, t.Name, t.TenantURL, t.Token})
			}
			_, err := fmt.Fprintf(e.stdout, "Created tenant %q.\n\n  ID:           %s\n  Tenant URL:   %s\n  Secret token: %s\n\nThe secret token is shown only now: store it in your identity provider.\n",
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
			var out struct {
				Tenants []tenantOut `json:"tenants"`
			}
			if err := f.call(cmd, e, "GET", "/api/v1/tenants", nil, &out, "list tenants"); err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			rows := [][]string{{"ID", "NAME", "TENANT URL", "CREATED"}}
			for _, t := range out.Tenants {
				rows = append(rows, []string{t.ID, t.Name, t.TenantURL, t.Created.Format(time.RFC3339)})
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
			if err := f.call(cmd, e, "DELETE", "/api/v1/tenants/"+url.PathEscape(args[0]), nil, nil, "delete tenant "+args[0]); err != nil {
				return err
			}
			return printJSONOr(e, f, map[string]any{"id": args[0], "deleted": true}, fmt.Sprintf("Deleted tenant %s.\n", args[0]))
		},
	}
}

// eventOut is a change feed event as the admin API returns it.
type eventOut struct {
	Seq          int64     `json:"seq"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	Op           string    `json:"op"`
	Time         time.Time `json:"time"`
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
			q := url.Values{"after": {strconv.FormatInt(after, 10)}}
			if limit > 0 {
				q.Set("limit", strconv.Itoa(limit))
			}
			var out struct {
				Events    []eventOut `json:"events"`
				NextAfter int64      `json:"next_after"`
			}
			if err := f.call(cmd, e, "GET", "/api/v1/tenants/"+url.PathEscape(args[0])+"/events?"+q.Encode(), nil, &out, "read events of tenant "+args[0]); err != nil {
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
