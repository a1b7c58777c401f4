package main

import (
	"context"
	"fmt"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/cobra"
)

func newAppCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("app", "Manage applications and who is assigned to them",
		`Create, list and delete applications, and assign users and groups to them.

An application is named by its name or its id. With the default provisioning scope
("assigned"), an application's job provisions the users assigned to it directly or
through an assigned group (nested groups included), and the assigned groups.`)
	cmd.AddCommand(newAppCreateCmd(e, f), newAppListCmd(e, f), newAppGetCmd(e, f), newAppDeleteCmd(e, f),
		newAppAssignCmd(e, f), newAppUnassignCmd(e, f), newAppAssignmentsCmd(e, f), newAppSSOCmd(e, f))
	return cmd
}

func newAppCreateCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "create NAME",
		Short: "Create an application",
		Long: `Create an application. With --json the output is {"id","name"}. Configure its
provisioning job next with "provisio job configure".`,
		Example: `  provisio app create "Uni-tel Portal" --json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := run(cmd, e, f, "create app "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.App, error) {
				return c.CreateApp(ctx, args[0])
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, a, fmt.Sprintf("Created app %q (id %s).\n", a.Name, a.ID))
		},
	}
}

func newAppListCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List applications",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			apps, err := run(cmd, e, f, "list apps", func(ctx context.Context, c *apiclient.Client) ([]apitypes.App, error) { return c.Apps(ctx) })
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, apitypes.AppList{Apps: nonNil(apps)})
			}
			rows := [][]string{{"NAME", "ID"}}
			for _, a := range apps {
				rows = append(rows, []string{a.Name, a.ID})
			}
			return printTable(e.stdout, rows)
		},
	}
}

func newAppGetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get APP",
		Short: "Show an application",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := run(cmd, e, f, "get app "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.App, error) {
				return c.App(ctx, args[0])
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, a, fmt.Sprintf("%s (id %s)\n", a.Name, a.ID))
		},
	}
}

func newAppDeleteCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete APP",
		Short: "Delete an application with its assignments and provisioning job",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := runErr(cmd, e, f, "delete app "+args[0], func(ctx context.Context, c *apiclient.Client) error {
				return c.DeleteApp(ctx, args[0])
			}); err != nil {
				return err
			}
			return printJSONOr(e, f, map[string]any{"app": args[0], "deleted": true}, fmt.Sprintf("Deleted app %s.\n", args[0]))
		},
	}
}

// principalFlags are --user and --group of assign and unassign: exactly
// one must be given.
type principalFlags struct {
	user, group string
}

func (p *principalFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.user, "user", "", "the user: userPrincipalName or object id")
	cmd.Flags().StringVar(&p.group, "group", "", "the group: displayName or object id")
}

// target returns "users" or "groups" and the principal named.
func (p *principalFlags) target() (kind, ref string, err error) {
	switch {
	case (p.user == "") == (p.group == ""):
		return "", "", fmt.Errorf("give exactly one of --user and --group")
	case p.user != "":
		return "users", p.user, nil
	}
	return "groups", p.group, nil
}

func newAppAssignCmd(e *env, f *clientFlags) *cobra.Command {
	var p principalFlags
	var role string
	cmd := &cobra.Command{
		Use:   "assign APP (--user USER | --group GROUP) [--role ROLE]",
		Short: "Assign a user or group to an application",
		Long: `Assign a user or a group to an application, optionally with an app role. Assigning
again changes the role. The next provisioning cycle provisions the user (or the
group's members) into the application.`,
		Example: `  provisio app assign "Uni-tel Portal" --user alice@contoso.com
  provisio app assign "Uni-tel Portal" --group Sales --role User`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, ref, err := p.target()
			if err != nil {
				return err
			}
			req := apitypes.Assign{User: p.user, Group: p.group, Role: role}
			a, err := run(cmd, e, f, fmt.Sprintf("assign %s to app %s", ref, args[0]), func(ctx context.Context, c *apiclient.Client) (apitypes.Assignment, error) {
				return c.Assign(ctx, args[0], req)
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, a, fmt.Sprintf("Assigned %s to %s.\n", ref, args[0]))
		},
	}
	p.register(cmd)
	cmd.Flags().StringVar(&role, "role", "", "the app role to grant")
	return cmd
}

func newAppUnassignCmd(e *env, f *clientFlags) *cobra.Command {
	var p principalFlags
	cmd := &cobra.Command{
		Use:   "unassign APP (--user USER | --group GROUP)",
		Short: "Remove a user's or group's assignment to an application",
		Long: `Remove the assignment of a user or a group. The next provisioning cycle disables the
accounts that lost access (active=false); they are not deleted.`,
		Example: `  provisio app unassign "Uni-tel Portal" --user alice@contoso.com`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, ref, err := p.target()
			if err != nil {
				return err
			}
			if err := runErr(cmd, e, f, fmt.Sprintf("unassign %s from app %s", ref, args[0]), func(ctx context.Context, c *apiclient.Client) error {
				return c.Unassign(ctx, args[0], kind, ref)
			}); err != nil {
				return err
			}
			return printJSONOr(e, f, map[string]any{"app": args[0], kind[:len(kind)-1]: ref, "unassigned": true}, fmt.Sprintf("Unassigned %s from %s.\n", ref, args[0]))
		},
	}
	p.register(cmd)
	return cmd
}

func newAppAssignmentsCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "assignments APP",
		Short: "List the users and groups assigned to an application",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			as, err := run(cmd, e, f, "list assignments of app "+args[0], func(ctx context.Context, c *apiclient.Client) ([]apitypes.Assignment, error) {
				return c.Assignments(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, apitypes.AssignmentList{Assignments: nonNil(as)})
			}
			rows := [][]string{{"KIND", "NAME", "ROLE", "OBJECT ID"}}
			for _, a := range as {
				rows = append(rows, []string{a.PrincipalKind, a.PrincipalName, a.AppRoleID, a.PrincipalID})
			}
			return printTable(e.stdout, rows)
		},
	}
}
