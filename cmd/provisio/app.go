package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

// appOut is an application as the admin API returns it.
type appOut struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// assignmentOut is an assignment as the admin API returns it.
type assignmentOut struct {
	AppID         string `json:"appId"`
	PrincipalID   string `json:"principalId"`
	PrincipalKind string `json:"principalKind"`
	PrincipalName string `json:"principalName"`
	AppRoleID     string `json:"appRoleId"`
}

func appPath(ref string) string { return "/api/v1/apps/" + esc(ref) }

func newAppCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("app", "Manage applications and who is assigned to them",
		`Create, list and delete applications, and assign users and groups to them.

An application is named by its name or its id. With the default provisioning scope
("assigned"), an application's job provisions the users assigned to it directly or
through an assigned group (nested groups included), and the assigned groups.`)
	cmd.AddCommand(newAppCreateCmd(e, f), newAppListCmd(e, f), newAppGetCmd(e, f), newAppDeleteCmd(e, f),
		newAppAssignCmd(e, f), newAppUnassignCmd(e, f), newAppAssignmentsCmd(e, f))
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
			var a appOut
			if err := f.call(cmd, e, "POST", "/api/v1/apps", map[string]string{"name": args[0]}, &a, "create app "+args[0]); err != nil {
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
			var out struct {
				Apps []appOut `json:"apps"`
			}
			if err := f.call(cmd, e, "GET", "/api/v1/apps", nil, &out, "list apps"); err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			rows := [][]string{{"NAME", "ID"}}
			for _, a := range out.Apps {
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
			var a appOut
			if err := f.call(cmd, e, "GET", appPath(args[0]), nil, &a, "get app "+args[0]); err != nil {
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
			if err := f.call(cmd, e, "DELETE", appPath(args[0]), nil, nil, "delete app "+args[0]); err != nil {
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
			kind, ref, err := p.target()
			if err != nil {
				return err
			}
			req := map[string]string{kind[:len(kind)-1]: ref}
			if role != "" {
				req["role"] = role
			}
			var raw json.RawMessage
			if err := f.call(cmd, e, "POST", appPath(args[0])+"/assignments", req, &raw, fmt.Sprintf("assign %s to app %s", ref, args[0])); err != nil {
				return err
			}
			if f.asJSON {
				return printRaw(e.stdout, raw)
			}
			_, err = fmt.Fprintf(e.stdout, "Assigned %s to %s.\n", ref, args[0])
			return err
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
			if err := f.call(cmd, e, "DELETE", appPath(args[0])+"/assignments/"+kind+"/"+esc(ref), nil, nil, fmt.Sprintf("unassign %s from app %s", ref, args[0])); err != nil {
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
			var out struct {
				Assignments []assignmentOut `json:"assignments"`
			}
			if err := f.call(cmd, e, "GET", appPath(args[0])+"/assignments", nil, &out, "list assignments of app "+args[0]); err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			rows := [][]string{{"KIND", "NAME", "ROLE", "OBJECT ID"}}
			for _, a := range out.Assignments {
				rows = append(rows, []string{a.PrincipalKind, a.PrincipalName, a.AppRoleID, a.PrincipalID})
			}
			return printTable(e.stdout, rows)
		},
	}
}
