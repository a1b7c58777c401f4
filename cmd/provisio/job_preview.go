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
	var obj objectFlags
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
			if err := obj.check(); err != nil {
				return err
			}
			what := "preview of " + obj.name() + " in " + args[0]
			p, err := run(cmd, e, f, what, func(ctx context.Context, c *apiclient.Client) (apitypes.Preview, error) {
				if obj.user != "" {
					return c.PreviewUser(ctx, args[0], obj.user)
				}
				return c.PreviewGroup(ctx, args[0], obj.group)
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
	obj.register(cmd)
	return cmd
}

// objectFlags are the --user and --group flags of the job commands about
// one object.
type objectFlags struct{ user, group string }

func (o *objectFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.user, "user", "", "the user: userPrincipalName or object id")
	cmd.Flags().StringVar(&o.group, "group", "", "the group: displayName or object id")
}

func (o *objectFlags) check() error {
	if (o.user == "") == (o.group == "") {
		return errors.New("give exactly one of --user and --group")
	}
	return nil
}

// name is the user or group as given.
func (o *objectFlags) name() string { return cmp.Or(o.user, o.group) }

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
		if err := printBody(w, r, ""); err != nil {
			return err
		}
	}
	return nil
}

// printBody prints a request's JSON body indented, each line after
// prefix; nothing for a request without one.
func printBody(w io.Writer, r apitypes.PreviewRequest, prefix string) error {
	if len(r.Body) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Indent(&b, r.Body, prefix, "  "); err != nil {
		return fmt.Errorf("print the %s %s body: %w", r.Method, r.Path, err)
	}
	_, err := fmt.Fprintf(w, "%s%s\n", prefix, b.Bytes())
	return err
}
