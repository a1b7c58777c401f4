package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newJobPreviewCmd(e *env, f *clientFlags) *cobra.Command {
	var user, group string
	cmd := &cobra.Command{
		Use:   "preview APP (--user UPN | --group NAME)",
		Short: "Show the exact SCIM request the next cycle would send for one user or group",
		Long: `Show the SCIM request(s) the next cycle would send for one user or group — method,
path relative to the Tenant URL, and JSON body (a create's resource, an update's or
disable's PATCH operations) — after mappings, expressions, scoping and matching, or
"no request: <reason>" when the cycle would send none (unchanged, out of scope, ...).
Nothing is written: no request to the application but the read that matches an object
not linked yet, no link, no log entry, no watermark. "{id}" in a path stands for the id
the preceding POST returns.`,
		Example: `  provisio job preview "Uni-tel Portal" --user alice@contoso.com
  provisio job preview "Uni-tel Portal" --group Sales --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (user == "") == (group == "") {
				return errors.New("give exactly one of --user and --group")
			}
			what := "preview of " + cmp.Or(user, group) + " in " + args[0]
			p, err := run(cmd, e, f, what, func(ctx context.Context, c *apiclient.Client) (apitypes.Preview, error) {
				if user != "" {
					return c.PreviewUser(ctx, args[0], user)
				}
				return c.PreviewGroup(ctx, args[0], group)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, p)
			}
			return printPreview(e.stdout, p)
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "the user: userPrincipalName or object id")
	cmd.Flags().StringVar(&group, "group", "", "the group: displayName or object id")
	return cmd
}

// printPreview prints each request as method and path, then its JSON
// body indented; or "no request: <reason>".
func printPreview(w io.Writer, p apitypes.Preview) error {
	if len(p.Requests) == 0 {
		_, err := fmt.Fprintf(w, "no request: %s\n", cmp.Or(p.Reason, p.Action))
		return err
	}
	for i, r := range p.Requests {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s\n", r.Method, r.Path)
		if len(r.Body) == 0 {
			continue
		}
		var b bytes.Buffer
		if err := json.Indent(&b, r.Body, "", "  "); err != nil {
			return fmt.Errorf("print the %s %s body: %w", r.Method, r.Path, err)
		}
		if _, err := fmt.Fprintf(w, "%s\n", b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}
