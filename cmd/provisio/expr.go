package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newExprCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("expr", "Try attribute-mapping expressions",
		`Evaluate attribute-mapping expressions (Microsoft Entra ID's expression language:
Join, Switch, IIF, Replace, ...) the way a provisioning cycle does, against a directory
user or attributes given by hand.`)
	cmd.AddCommand(newExprEvalCmd(e, f))
	return cmd
}

// nullText is what expr eval prints for a null value.
const nullText = "(null: the attribute does not flow)"

func newExprEvalCmd(e *env, f *clientFlags) *cobra.Command {
	var user, app string
	var sets []string
	cmd := &cobra.Command{
		Use:   "eval EXPR [--user UPN] [--app APP] [--set NAME=VALUE]...",
		Short: "Evaluate an expression against a user or given attributes",
		Long: `Evaluate an attribute-mapping expression and print its value on the last line:
a string as it is, a list as JSON, a boolean as true or false, and a null (nothing
flows to the application) as "` + nullText + `".

--user reads the attributes of a directory user (userPrincipalName or object id), with
the engine's own lookup. --app evaluates the user as that application's job sees it:
IsSoftDeleted as its scope decides (without --app it is false). --set NAME=VALUE sets
or overrides an attribute; repeat a NAME for a multi-valued one (proxyAddresses,
appRoleAssignments). A syntax error points at its position.`,
		Example: `  provisio expr eval 'Join(" ", [givenName], [surname])' --user alice@contoso.com
  provisio expr eval 'Switch([department], "Other", "Sales", "S", "IT", "I")' --set department=Sales
  provisio expr eval 'Join(";", [proxyAddresses])' --set proxyAddresses=smtp:a@x --set proxyAddresses=smtp:b@x
  provisio expr eval 'Not([IsSoftDeleted])' --user alice@contoso.com --app "Uni-tel Portal"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			attrs, err := parseMultiSets(sets)
			if err != nil {
				return err
			}
			req := apitypes.EvaluateExpression{Expression: args[0], User: user, App: app, Attributes: attrs}
			v, err := run(cmd, e, f, "expr eval", func(ctx context.Context, c *apiclient.Client) (apitypes.ExpressionValue, error) {
				return c.EvaluateExpression(ctx, req)
			})
			var ae *apiclient.Error
			if errors.As(err, &ae) && ae.Position != nil {
				return fmt.Errorf("%w\n%s", err, caret(args[0], *ae.Position))
			}
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, v)
			}
			if v.Scope != "" {
				fmt.Fprintf(e.stdout, "scope: %s\n", v.Scope)
			}
			_, err = fmt.Fprintln(e.stdout, valueText(v))
			return err
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "evaluate against this directory user (userPrincipalName or object id)")
	cmd.Flags().StringVar(&app, "app", "", "with --user: the user as this application's job sees it")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set an attribute NAME=VALUE (repeat a NAME for several values)")
	return cmd
}

// parseMultiSets turns repeated --set NAME=VALUE flags into attributes;
// a NAME given again adds a value.
func parseMultiSets(sets []string) (map[string][]string, error) {
	if len(sets) == 0 {
		return nil, nil
	}
	out := map[string][]string{}
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("--set %q: want NAME=VALUE", s)
		}
		out[name] = append(out[name], value)
	}
	return out, nil
}

// valueText is a value as expr eval prints it: a string as it is, null
// as nullText, anything else as its JSON.
func valueText(v apitypes.ExpressionValue) string {
	if v.Null {
		return nullText
	}
	var s string
	if v.Type == "string" && json.Unmarshal(v.Value, &s) == nil {
		return s
	}
	return string(v.Value)
}

// caretWidth is how much of a long expression line caret shows on each
// side of the position.
const caretWidth = 60

// caret shows the line of src holding the byte offset pos with a ^ under
// it, as a compiler does; a long line is cut around the position.
func caret(src string, pos int) string {
	pos = min(max(pos, 0), len(src))
	start := strings.LastIndexByte(src[:pos], '\n') + 1
	end := len(src)
	if i := strings.IndexByte(src[pos:], '\n'); i >= 0 {
		end = pos + i
	}
	before, after := []rune(src[start:pos]), []rune(src[pos:end])
	prefix, suffix := "", ""
	if len(before) > caretWidth {
		before, prefix = before[len(before)-caretWidth:], "…"
	}
	if len(after) > caretWidth {
		after, suffix = after[:caretWidth], "…"
	}
	line := prefix + string(before) + string(after) + suffix
	col := utf8.RuneCountInString(prefix) + len(before)
	return "  " + line + "\n  " + strings.Repeat(" ", col) + "^"
}
