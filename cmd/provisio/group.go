package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/cobra"
)

// memberBatch bounds the members sent per request, so a --file of any
// length stays under the server's body limit.
const memberBatch = 1000

func newGroupCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("group", "Manage the directory's groups and their members",
		`Create, list and delete directory groups and change their members.

A deleted group is soft-deleted: it keeps its members and assignments but is out of
every provisioning scope (jobs delete it from their applications), and it is
restorable with "group restore" until purged automatically after the retention period,
30 days by default; "group purge" deletes it at once and for good.

A group is named by its displayName or its object id. Members are users (by
userPrincipalName or object id) or, with --group, other groups: groups nest, and the
members of a nested group are members of the outer one for provisioning scope.`)
	cmd.AddCommand(newGroupCreateCmd(e, f), newGroupListCmd(e, f), newGroupGetCmd(e, f),
		newGroupStateCmd(e, f, "delete", "Soft-delete a group (restorable until purged)", "Deleted", groupAnswer((*apiclient.Client).DeleteGroup)),
		newGroupStateCmd(e, f, "restore", "Restore a soft-deleted group", "Restored", groupAnswer((*apiclient.Client).RestoreGroup)),
		newGroupStateCmd(e, f, "purge", "Delete a group permanently, with its memberships and assignments", "Purged",
			func(ctx context.Context, c *apiclient.Client, ref string) (*apitypes.Group, error) {
				return nil, c.PurgeGroup(ctx, ref)
			}),
		newGroupMembersCmd(e, f, "add-member", "add", "Add users or groups to a group"),
		newGroupMembersCmd(e, f, "remove-member", "remove", "Remove users or groups from a group"))
	return cmd
}

func newGroupCreateCmd(e *env, f *clientFlags) *cobra.Command {
	var description, mail, mailNickname string
	cmd := &cobra.Command{
		Use:     "create NAME",
		Short:   "Create a group",
		Example: `  provisio group create Sales --description "Sales team"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := apitypes.CreateGroup{DisplayName: args[0], Description: description, Mail: mail, MailNickname: mailNickname}
			g, err := run(cmd, e, f, "create group "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Group, error) {
				return c.CreateGroup(ctx, req)
			})
			if err != nil {
				return err
			}
			return printGroup(e, f, g, "Created group")
		},
	}
	cmd.Flags().StringVar(&description, "description", "", "the group's description")
	cmd.Flags().StringVar(&mail, "mail", "", "the group's mail address")
	cmd.Flags().StringVar(&mailNickname, "mail-nickname", "", "the group's mail nickname")
	return cmd
}

// printGroup prints one group answer: JSON, else a short message.
func printGroup(e *env, f *clientFlags, g apitypes.Group, verb string) error {
	return printJSONOr(e, f, g, fmt.Sprintf("%s %s (object id %s, %d members).\n", verb, g.DisplayName, g.ObjectID, len(g.Members)))
}

func newGroupListCmd(e *env, f *clientFlags) *cobra.Command {
	return newDirectoryListCmd(e, f, "groups", "List groups with their member counts (with --deleted: the soft-deleted ones)",
		[]string{"DISPLAY NAME", "MEMBERS", "DESCRIPTION", "OBJECT ID"},
		func(ctx context.Context, c *apiclient.Client, q apiclient.ListQuery) ([]apitypes.Group, string, error) {
			p, err := c.Groups(ctx, q)
			return p.Groups, p.Next, err
		},
		func(g apitypes.Group) []string {
			return []string{g.DisplayName, strconv.Itoa(len(g.Members)), g.Description, g.ObjectID}
		})
}

func newGroupGetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get GROUP",
		Short: "Show a group and its direct members",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := run(cmd, e, f, "get group "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Group, error) {
				return c.Group(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, g)
			}
			fmt.Fprintf(e.stdout, "%s (object id %s)\n\n", g.DisplayName, g.ObjectID)
			rows := [][]string{{"MEMBER", "KIND", "OBJECT ID"}}
			for _, m := range g.Members {
				rows = append(rows, []string{m.Name, m.Kind, m.ID})
			}
			return printTable(e.stdout, rows)
		},
	}
}

// newGroupStateCmd builds delete, restore and purge.
func newGroupStateCmd(e *env, f *clientFlags, name, short, verb string, do stateChange[apitypes.Group]) *cobra.Command {
	return newStateCmd(e, f, objectKind[apitypes.Group]{"group", "GROUP", printGroup}, name, short, verb, do)
}

// groupAnswer is a state change of a group answered with the group.
func groupAnswer(call func(*apiclient.Client, context.Context, string) (apitypes.Group, error)) stateChange[apitypes.Group] {
	return func(ctx context.Context, c *apiclient.Client, ref string) (*apitypes.Group, error) {
		g, err := call(c, ctx, ref)
		return &g, err
	}
}

// newGroupMembersCmd builds add-member (op "add") and remove-member
// (op "remove").
func newGroupMembersCmd(e *env, f *clientFlags, name, op, short string) *cobra.Command {
	var file string
	var groups []string
	cmd := &cobra.Command{
		Use:   name + " GROUP [USER...] [--file FILE] [--group NAME...]",
		Short: short,
		Long: short + `: users named on the command line (userPrincipalName or object id),
users listed in --file (one per line; blank lines and # comments are skipped), and
groups named with --group. Members already in (or already out of) the group are no-ops.
They are sent 1,000 per request, each request on its own: an unknown user or group
fails its request, which changes nothing, and the command stops there (the requests
before it stay applied). A progress bar shows how far it got.`,
		Example: `  provisio group ` + name + ` Sales alice@contoso.com bob@contoso.com
  provisio group ` + name + ` Sales --file sales-team.txt
  provisio group ` + name + ` Everyone --group Sales`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			users := args[1:]
			if file != "" {
				lines, err := readLines(e.readFile, file)
				if err != nil {
					return err
				}
				users = append(users, lines...)
			}
			if len(users) == 0 && len(groups) == 0 {
				return fmt.Errorf("no members given: name users, --file or --group")
			}
			c, err := f.client(cmd, e)
			if err != nil {
				return err
			}
			total := 0
			refs := append(groups, users...)
			bar := newProgress(e, int64(len(refs)), name+" "+args[0], false)
			for _, batch := range chunks(refs, memberBatch) {
				body := apitypes.MembersChange{Add: batch}
				if op == "remove" {
					body = apitypes.MembersChange{Remove: batch}
				}
				res, err := c.ChangeMembers(cmd.Context(), args[0], body)
				if err != nil {
					return fmt.Errorf("%s of group %s: %w", name, args[0], err)
				}
				total += res.Added + res.Removed
				_ = bar.Add(len(batch))
			}
			_ = bar.Finish()
			if f.asJSON {
				key := map[string]string{"add": "added", "remove": "removed"}[op]
				return printJSON(e.stdout, map[string]any{"group": args[0], key: total})
			}
			format := map[string]string{"add": "Added %d members to %s.\n", "remove": "Removed %d members from %s.\n"}[op]
			_, err = fmt.Fprintf(e.stdout, format, total, args[0])
			return err
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "a file of users, one userPrincipalName or object id per line")
	cmd.Flags().StringArrayVar(&groups, "group", nil, "a group to "+op+" as a member (repeatable)")
	return cmd
}
