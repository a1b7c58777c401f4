package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// userOut is a directory user as the admin API returns it.
type userOut struct {
	ObjectID          string     `json:"objectId"`
	UserPrincipalName string     `json:"userPrincipalName"`
	DisplayName       string     `json:"displayName"`
	Mail              string     `json:"mail"`
	Department        string     `json:"department"`
	AccountEnabled    bool       `json:"accountEnabled"`
	DeletedAt         *time.Time `json:"deletedAt"`
}

// userState is a user's state for tables: enabled, disabled or deleted.
func (u userOut) state() string {
	switch {
	case u.DeletedAt != nil:
		return "deleted"
	case u.AccountEnabled:
		return "enabled"
	}
	return "disabled"
}

func userPath(ref string) string { return "/api/v1/users/" + esc(ref) }

const userAttrHelp = `Attributes (Entra's names): userPrincipalName, mail, mailNickname, displayName,
givenName, surname, jobTitle, department, employeeId, mobile, telephoneNumber,
streetAddress, postalCode, manager (the manager's userPrincipalName or object id),
accountEnabled (true/false); any other name is a free extension attribute.`

func newUserCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("user", "Manage the directory's users",
		`Create, read, change, disable, delete, restore and import directory users.

A user is named by its userPrincipalName or its object id. A deleted user is soft-deleted
(restorable with "user restore" until purged automatically after the retention period,
30 days by default); "user purge" deletes it at once and for good.`)
	cmd.AddCommand(newUserCreateCmd(e, f), newUserGetCmd(e, f), newUserListCmd(e, f), newUserUpdateCmd(e, f),
		newUserStateCmd(e, f, "disable", "Disable a user (accountEnabled=false)", "POST", "/disable", "Disabled"),
		newUserStateCmd(e, f, "enable", "Enable a user (accountEnabled=true)", "POST", "/enable", "Enabled"),
		newUserStateCmd(e, f, "delete", "Soft-delete a user (restorable until purged)", "DELETE", "", "Deleted"),
		newUserStateCmd(e, f, "restore", "Restore a soft-deleted user", "POST", "/restore", "Restored"),
		newUserStateCmd(e, f, "purge", "Delete a user permanently (soft-deleted or not)", "DELETE", "?permanent=true", "Purged"),
		newUserImportCmd(e, f))
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
			var raw json.RawMessage
			if err := f.call(cmd, e, "POST", "/api/v1/users", attrs, &raw, "create user "+args[0]); err != nil {
				return err
			}
			return printUser(e, f, raw, "Created user")
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set an attribute: NAME=VALUE (repeatable)")
	cmd.Flags().BoolVar(&disabled, "disabled", false, "create the user disabled (accountEnabled=false)")
	return cmd
}

// printUser prints one user answer: JSON as is, else a short message.
func printUser(e *env, f *clientFlags, raw json.RawMessage, verb string) error {
	return showRaw(e, f, raw, "user", func(u userOut) error {
		_, err := fmt.Fprintf(e.stdout, "%s %s (object id %s, %s).\n", verb, u.UserPrincipalName, u.ObjectID, u.state())
		return err
	})
}

func newUserGetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get USER",
		Short: "Show a user's attributes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := f.call(cmd, e, "GET", userPath(args[0]), nil, &raw, "get user "+args[0]); err != nil {
				return err
			}
			if f.asJSON {
				return printRaw(e.stdout, raw)
			}
			return printAttributes(e.stdout, raw)
		},
	}
}

// printAttributes prints a JSON object as ATTRIBUTE/VALUE rows in the
// server's order, nested objects (extensions) flattened as a.b.
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
	return newDirectoryListCmd(e, f, "users", "List users (with --deleted: the soft-deleted ones)",
		[]string{"USER PRINCIPAL NAME", "DISPLAY NAME", "DEPARTMENT", "STATE", "OBJECT ID"},
		func(u userOut) []string {
			return []string{u.UserPrincipalName, u.DisplayName, u.Department, u.state(), u.ObjectID}
		})
}

// newDirectoryListCmd builds "user list" and "group list": every page of
// /api/v1/<key>, or with --deleted of the recycle bin, as JSON or a table
// of header and one row per object.
func newDirectoryListCmd[T any](e *env, f *clientFlags, key, short string, header []string, row func(T) []string) *cobra.Command {
	var deleted bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, e)
			if err != nil {
				return err
			}
			q := url.Values{}
			if deleted {
				q.Set("deleted", "true")
			}
			var all []json.RawMessage
			err = listAll(cmd, c, "/api/v1/"+key, q, key, func(page []json.RawMessage) { all = append(all, page...) })
			if err != nil {
				return fmt.Errorf("list %s: %w", key, err)
			}
			if f.asJSON {
				return printJSON(e.stdout, map[string]any{key: nonNil(all)})
			}
			rows := [][]string{header}
			for _, raw := range all {
				var v T
				if err := json.Unmarshal(raw, &v); err != nil {
					return fmt.Errorf("decode %s: %w", key, err)
				}
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

// listAll reads every page of a list endpoint: the answer holds the
// items under key and, while more remain, a "next" cursor to send as
// ?after=.
func listAll(cmd *cobra.Command, c *apiClient, path string, q url.Values, key string, fn func([]json.RawMessage)) error {
	for {
		var page map[string]json.RawMessage
		p := path
		if len(q) > 0 {
			p += "?" + q.Encode()
		}
		if err := c.do(cmd.Context(), "GET", p, nil, &page); err != nil {
			return err
		}
		var items []json.RawMessage
		if err := json.Unmarshal(page[key], &items); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
		fn(items)
		var next string
		if raw, ok := page["next"]; ok {
			_ = json.Unmarshal(raw, &next)
		}
		if next == "" || len(items) == 0 {
			return nil
		}
		q.Set("after", next)
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
			var raw json.RawMessage
			if err := f.call(cmd, e, "PATCH", userPath(args[0]), attrs, &raw, "update user "+args[0]); err != nil {
				return err
			}
			return printUser(e, f, raw, "Updated user")
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set an attribute: NAME=VALUE, or NAME= to clear it (repeatable)")
	return cmd
}

// newUserStateCmd builds disable, enable, delete, restore and purge.
func newUserStateCmd(e *env, f *clientFlags, name, short, method, suffix, verb string) *cobra.Command {
	return newStateCmd(e, f, objectKind{"user", "USER", userPath, printUser}, name, short, method, suffix, verb)
}

// objectKind is what newStateCmd needs of users or groups.
type objectKind struct {
	name, arg string
	path      func(ref string) string
	print     func(e *env, f *clientFlags, raw json.RawMessage, verb string) error
}

// newStateCmd builds a command of one request on a user or group,
// answered with the object (or 204 for a purge).
func newStateCmd(e *env, f *clientFlags, k objectKind, name, short, method, suffix, verb string) *cobra.Command {
	return &cobra.Command{
		Use:   name + " " + k.arg,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := f.call(cmd, e, method, k.path(args[0])+suffix, nil, &raw, fmt.Sprintf("%s %s %s", name, k.name, args[0])); err != nil {
				return err
			}
			if len(raw) > 0 {
				return k.print(e, f, raw, verb+" "+k.name)
			}
			return printJSONOr(e, f, map[string]any{k.name: args[0], name + "d": true}, fmt.Sprintf("%s %s %s.\n", verb, k.name, args[0]))
		},
	}
}

// importResult is the admin API's answer to a CSV import.
type importResult struct {
	Rows     int `json:"rows"`
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Failed   int `json:"failed"`
	Errors   []struct {
		Line    int    `json:"line"`
		Message string `json:"message"`
	} `json:"errors"`
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
			var res importResult
			var raw json.RawMessage
			// No overall timeout: a large file takes as long as it takes;
			// Ctrl-C (the command's context) still ends it.
			path := "/api/v1/imports/users"
			if update {
				path += "?update=true"
			}
			err = c.send(cmd.Context(), c.stream, "POST", path, "text/csv; charset=utf-8", &body, &raw)
			_ = bar.Finish()
			if err != nil {
				return fmt.Errorf("import %s: %w", args[0], err)
			}
			if err := json.Unmarshal(raw, &res); err != nil {
				return fmt.Errorf("decode import result: %w", err)
			}
			if f.asJSON {
				err = printRaw(e.stdout, raw)
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

func printImport(e *env, file string, res importResult) error {
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
