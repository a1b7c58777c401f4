package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/directory"
)

// userState is a user's state for tables: enabled, disabled or deleted.
func userState(u apitypes.User) string {
	switch {
	case u.DeletedAt != nil:
		return "deleted"
	case u.AccountEnabled:
		return "enabled"
	}
	return "disabled"
}

var userAttrHelp = directory.UserAttrHelp(82)

func newUserCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("user", "Manage the directory's users",
		`Create, read, change, disable, delete, restore and import directory users.

A user is named by its userPrincipalName or its object id. A deleted user is soft-deleted
(restorable with "user restore" until purged automatically after the retention period,
30 days by default); "user purge" deletes it at once and for good.`)
	cmd.AddCommand(newUserCreateCmd(e, f), newUserGetCmd(e, f), newUserListCmd(e, f), newUserUpdateCmd(e, f),
		newUserStateCmd(e, f, "disable", "Disable a user (accountEnabled=false)", "Disabled", changeUser(apiclient.DisableUser)),
		newUserStateCmd(e, f, "enable", "Enable a user (accountEnabled=true)", "Enabled", changeUser(apiclient.EnableUser)),
		newUserStateCmd(e, f, "delete", "Soft-delete a user (restorable until purged)", "Deleted", changeUser(apiclient.DeleteUser)),
		newUserStateCmd(e, f, "restore", "Restore a soft-deleted user", "Restored", changeUser(apiclient.RestoreUser)),
		newUserStateCmd(e, f, "purge", "Delete a user permanently (soft-deleted or not)", "Purged",
			func(ctx context.Context, c *apiclient.Client, ref string) (*apitypes.User, error) {
				return nil, c.PurgeUser(ctx, ref)
			}),
		newUserImportCmd(e, f))
	cmd.AddCommand(newUserPasswordCmds(e, f)...)
	cmd.AddCommand(newUserSetAdminCmd(e, f))
	return cmd
}

func newUserCreateCmd(e *env, f *clientFlags) *cobra.Command {
	var sets []string
	var disabled bool
	cmd := &cobra.Command{
		Use:   "create USER_PRINCIPAL_NAME [--set NAME=VALUE]...",
		Short: "Create a user",
		Long:  "Create a user, enabled unless --disabled.\n\n" + userAttrHelp,
		Example: `  provisio user create alice@contoso.com --set displayName="Alice Jensen" --set givenName=Alice --set surname=Jensen
  provisio user create bob@contoso.com --set department=Sales --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			attrs, err := parseSets(sets)
			if err != nil {
				return err
			}
			attrs["userPrincipalName"] = args[0]
			if disabled {
				attrs["accountEnabled"] = false
			}
			u, err := run(cmd, e, f, "create user "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.User, error) {
				return c.CreateUser(ctx, attrs)
			})
			if err != nil {
				return err
			}
			return printUser(e, f, u, "Created user")
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set an attribute: NAME=VALUE (repeatable)")
	cmd.Flags().BoolVar(&disabled, "disabled", false, "create the user disabled (accountEnabled=false)")
	return cmd
}

// printUser prints one user answer: JSON, else a short message.
func printUser(e *env, f *clientFlags, u apitypes.User, verb string) error {
	return printJSONOr(e, f, u, fmt.Sprintf("%s %s (object id %s, %s).\n", verb, u.UserPrincipalName, u.ObjectID, userState(u)))
}

func newUserGetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get USER",
		Short: "Show a user's attributes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := run(cmd, e, f, "get user "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.User, error) {
				return c.User(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, u)
			}
			raw, err := json.Marshal(u)
			if err != nil {
				return fmt.Errorf("encode user: %w", err)
			}
			return printAttributes(e.stdout, raw)
		},
	}
}

// printAttributes prints a JSON object as ATTRIBUTE/VALUE rows in the
// API's order, nested objects (extensions) flattened as a.b.
func printAttributes(w io.Writer, raw json.RawMessage) error {
	rows := [][]string{{"ATTRIBUTE", "VALUE"}}
	var walk func(prefix string, raw json.RawMessage) error
	walk = func(prefix string, raw json.RawMessage) error {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		if _, err := dec.Token(); err != nil { // {
			return err
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return err
			}
			name := prefix + fmt.Sprint(tok)
			if len(v) > 0 && v[0] == '{' {
				if err := walk(name+".", v); err != nil {
					return err
				}
				continue
			}
			var s string
			if json.Unmarshal(v, &s) != nil {
				s = string(v)
			}
			rows = append(rows, []string{name, s})
		}
		return nil
	}
	if err := walk("", raw); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return printTable(w, rows)
}

func newUserListCmd(e *env, f *clientFlags) *cobra.Command {
	var search string
	cmd := newDirectoryListCmd(e, f, "users", "List users (with --deleted: the soft-deleted ones; --search: by userPrincipalName prefix)",
		[]string{"USER PRINCIPAL NAME", "DISPLAY NAME", "DEPARTMENT", "STATE", "OBJECT ID"},
		func(ctx context.Context, c *apiclient.Client, q apiclient.ListQuery) ([]apitypes.User, string, error) {
			q.Search = search
			p, err := c.Users(ctx, q)
			return p.Users, p.Next, err
		},
		func(u apitypes.User) []string {
			return []string{u.UserPrincipalName, u.DisplayName, u.Department, userState(u), u.ObjectID}
		})
	cmd.Flags().StringVar(&search, "search", "", "only the users whose userPrincipalName starts with this text (case-insensitive)")
	return cmd
}

// newDirectoryListCmd builds "user list" and "group list": every page
// (read by page), or with --deleted of the recycle bin, as JSON under
// key or a table of header and one row per object.
func newDirectoryListCmd[T any](e *env, f *clientFlags, key, short string, header []string,
	page func(context.Context, *apiclient.Client, apiclient.ListQuery) ([]T, string, error), row func(T) []string) *cobra.Command {
	var deleted bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var q apiclient.ListQuery
			if deleted {
				q.Deleted = "true"
			}
			all, err := run(cmd, e, f, "list "+key, func(ctx context.Context, c *apiclient.Client) ([]T, error) {
				return listAll(ctx, c, q, page)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, map[string]any{key: nonNil(all)})
			}
			rows := [][]string{header}
			for _, v := range all {
				rows = append(rows, row(v))
			}
			return printTable(e.stdout, rows)
		},
	}
	cmd.Flags().BoolVar(&deleted, "deleted", false, "list the soft-deleted "+key+" instead")
	return cmd
}

// nonNil makes an empty list print as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// listAll reads every page of a directory list: page answers the items
// and, while more remain, the "next" cursor to send as after.
func listAll[T any](ctx context.Context, c *apiclient.Client, q apiclient.ListQuery,
	page func(context.Context, *apiclient.Client, apiclient.ListQuery) ([]T, string, error)) ([]T, error) {
	var all []T
	for {
		items, next, err := page(ctx, c, q)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" || len(items) == 0 {
			return all, nil
		}
		q.After = next
	}
}

func newUserUpdateCmd(e *env, f *clientFlags) *cobra.Command {
	var sets []string
	cmd := &cobra.Command{
		Use:   "update USER --set NAME=VALUE...",
		Short: "Change a user's attributes",
		Long: `Change a user's attributes: each --set NAME=VALUE sets one, --set NAME= clears it.
Attributes not named keep their values.

` + userAttrHelp,
		Example: `  provisio user update alice@contoso.com --set surname=Lee --set department=Sales
  provisio user update alice@contoso.com --set jobTitle=`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(sets) == 0 {
				return fmt.Errorf("nothing to change: give --set NAME=VALUE")
			}
			attrs, err := parseSets(sets)
			if err != nil {
				return err
			}
			u, err := run(cmd, e, f, "update user "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.User, error) {
				return c.UpdateUser(ctx, args[0], attrs)
			})
			if err != nil {
				return err
			}
			return printUser(e, f, u, "Updated user")
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set an attribute: NAME=VALUE, or NAME= to clear it (repeatable)")
	return cmd
}

// newUserStateCmd builds disable, enable, delete, restore and purge.
func newUserStateCmd(e *env, f *clientFlags, name, short, verb string, do stateChange[apitypes.User]) *cobra.Command {
	return newStateCmd(e, f, objectKind[apitypes.User]{"user", "USER", printUser}, name, short, verb, do)
}

// changeUser is the state change a of a user.
func changeUser(a apiclient.UserAction) stateChange[apitypes.User] {
	return func(ctx context.Context, c *apiclient.Client, ref string) (*apitypes.User, error) {
		u, err := c.ChangeUser(ctx, ref, a)
		return &u, err
	}
}

// objectKind is what newStateCmd needs of users or groups.
type objectKind[T any] struct {
	name, arg string
	print     func(e *env, f *clientFlags, v T, verb string) error
}

// stateChange is one call on a user or group, answered with the object,
// or nil for a purge.
type stateChange[T any] func(ctx context.Context, c *apiclient.Client, ref string) (*T, error)

// newStateCmd builds a command of one state change of a user or group.
func newStateCmd[T any](e *env, f *clientFlags, k objectKind[T], name, short, verb string, do stateChange[T]) *cobra.Command {
	return &cobra.Command{
		Use:   name + " " + k.arg,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := run(cmd, e, f, fmt.Sprintf("%s %s %s", name, k.name, args[0]), func(ctx context.Context, c *apiclient.Client) (*T, error) {
				return do(ctx, c, args[0])
			})
			if err != nil {
				return err
			}
			if v != nil {
				return k.print(e, f, *v, verb+" "+k.name)
			}
			return printJSONOr(e, f, map[string]any{k.name: args[0], name + "d": true}, fmt.Sprintf("%s %s %s.\n", verb, k.name, args[0]))
		},
	}
}

func newUserImportCmd(e *env, f *clientFlags) *cobra.Command {
	var update bool
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Create (or with --update, also update) users from a CSV file",
		Long: `Create users from a CSV file (RFC 4180) whose header row names attributes;
userPrincipalName is required, objectId optional (a UUID). Empty cells leave an
attribute unset; accountEnabled defaults to true; manager may name a user created
earlier in the same file.

Without --update a row whose user already exists is rejected. With --update it
updates that user (found by objectId if the row has one, else by
userPrincipalName): its non-empty cells are set, its empty cells leave the
attribute as it is, so the same HR export can be imported again after changes.

The file is streamed to the server, which writes thousands of rows per second; a
progress bar shows how far it got. A bad row is reported with its line number and
nothing of that row is written; the other rows are. The command fails if any row did.

` + userAttrHelp,
		Example: `  provisio user import people.csv
  provisio user import people.csv --update --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client(cmd, e)
			if err != nil {
				return err
			}
			file, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer file.Close()
			fi, err := file.Stat()
			if err != nil {
				return err
			}
			bar := newProgress(e, fi.Size(), "importing "+fi.Name(), true)
			body := progressbar.NewReader(file, bar)
			// No overall timeout: a large file takes as long as it takes;
			// Ctrl-C (the command's context) still ends it.
			res, err := c.ImportUsers(cmd.Context(), &body, update)
			_ = bar.Finish()
			if err != nil {
				return fmt.Errorf("import %s: %w", args[0], err)
			}
			if f.asJSON {
				err = printJSON(e.stdout, res)
			} else {
				err = printImport(e, args[0], res)
			}
			if err == nil && res.Failed > 0 {
				err = fmt.Errorf("import %s: %d of %d rows failed", args[0], res.Failed, res.Rows)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&update, "update", false, "update the users that exist instead of rejecting their rows")
	return cmd
}

func printImport(e *env, file string, res apitypes.ImportResult) error {
	fmt.Fprintf(e.stdout, "Imported %s: %d rows, %d users created, %d updated, %d rows failed.\n", file, res.Rows, res.Imported, res.Updated, res.Failed)
	if len(res.Errors) == 0 {
		return nil
	}
	rows := [][]string{{"LINE", "ERROR"}}
	for _, er := range res.Errors {
		rows = append(rows, []string{strconv.Itoa(er.Line), er.Message})
	}
	if res.Failed > len(res.Errors) {
		rows = append(rows, []string{"...", fmt.Sprintf("%d more rows failed (the server reports the first %d in full)", res.Failed-len(res.Errors), len(res.Errors))})
	}
	return printTable(e.stdout, rows)
}
