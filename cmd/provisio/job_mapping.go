package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// `job mapping` and `job scoping`: a job's attribute mappings and scoping
// filters, edited one at a time (Entra's "Edit attribute mapping" and
// "Source object scope"). A saved change restarts the job: the next cycle
// re-evaluates every object in scope; "job plan" shows what it will do.

const restartNote = "The next cycle re-evaluates every object in scope (see \"job plan\").\n"

func newJobMappingCmd(e *env, f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mapping",
		Short: "List and edit a job's attribute mappings, one at a time",
		Long: `List and edit a job's attribute mappings, one target attribute at a time, for users
(default) or groups (--type group). Each change is checked when it is saved, every
problem at once: unknown source attributes, unparsable expressions, and target
attributes the application's /Schemas does not declare. A saved change makes the next
cycle re-evaluate every object in scope, as Microsoft Entra ID restarts the job.`,
	}
	cmd.AddCommand(newJobMappingListCmd(e, f), newJobMappingSetCmd(e, f), newJobMappingRemoveCmd(e, f), newJobMappingResetCmd(e, f))
	return cmd
}

// typeFlag registers --type user|group.
func typeFlag(cmd *cobra.Command, typ *string) {
	cmd.Flags().StringVar(typ, "type", apiclient.TypeUser, "the object mapping: user or group")
}

func checkType(typ string) error {
	if typ != apiclient.TypeUser && typ != apiclient.TypeGroup {
		return fmt.Errorf("--type %q: want user or group", typ)
	}
	return nil
}

func newJobMappingListCmd(e *env, f *clientFlags) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "list APP [--type user|group]",
		Short: "List a job's attribute mappings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkType(typ); err != nil {
				return err
			}
			tm, err := run(cmd, e, f, "list mappings of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TypeMappings, error) {
				return c.JobMappings(ctx, args[0], typ)
			})
			if err != nil {
				return err
			}
			return printMappings(e, f, tm)
		},
	}
	typeFlag(cmd, &typ)
	return cmd
}

// printMappings prints one type's mappings: JSON, else a table and the
// default mappings left out for the application.
func printMappings(e *env, f *clientFlags, tm apitypes.TypeMappings) error {
	if f.asJSON {
		return printJSON(e.stdout, tm)
	}
	rows := [][]string{{"TARGET", "SOURCE", "DEFAULT", "APPLY", "MATCH"}}
	for _, a := range tm.Attributes {
		match := ""
		if a.Match > 0 {
			match = strconv.Itoa(a.Match)
		}
		def := ""
		if a.Default != nil {
			def = fmt.Sprint(a.Default)
		}
		apply := a.Apply
		if apply == "" {
			apply = "always"
		}
		rows = append(rows, []string{a.Target, mappingSource(a), def, apply, match})
	}
	if err := printTable(e.stdout, rows); err != nil {
		return err
	}
	printExcluded(e, tm.Excluded)
	return nil
}

// mappingSource renders what a mapping reads: an attribute, an
// expression, a quoted constant or (none).
func mappingSource(a apitypes.AttributeMapping) string {
	switch a.Type {
	case "direct":
		return a.Source
	case "expression":
		return a.Expression
	case "constant":
		return fmt.Sprintf("%q (constant)", fmt.Sprint(a.Value))
	}
	return "(none)"
}

func printExcluded(e *env, xs []apitypes.Exclusion) {
	for _, x := range xs {
		fmt.Fprintf(e.stdout, "excluded: %s — %s\n", x.Target, x.Reason)
	}
}

func newJobMappingSetCmd(e *env, f *clientFlags) *cobra.Command {
	var typ, target, source, expression, constant, def, apply string
	var match int
	var clear bool
	cmd := &cobra.Command{
		Use:   "set APP --target PATH (--source ATTR | --expression EXPR | --constant VALUE) [--default VALUE] [--apply always|create] [--match N] [--clear-when-empty] [--type user|group]",
		Short: "Add or replace the mapping of one target attribute",
		Long: `Add the mapping of a target attribute, or replace the one of that target (matched
case-insensitively). The target is a SCIM attribute path such as displayName,
name.givenName, emails[type eq "work"].value or
urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department.`,
		Example: `  provisio job mapping set Portal --target nickName --source mailNickname
  provisio job mapping set Portal --target displayName --expression 'Join(" ", [givenName], [surname])'
  provisio job mapping set Portal --target userType --constant Employee --apply create`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkType(typ); err != nil {
				return err
			}
			m := apitypes.AttributeMapping{Target: target, Apply: apply, Match: match, ClearWhenEmpty: clear}
			given := 0
			for _, name := range []string{"source", "expression", "constant"} {
				if cmd.Flags().Changed(name) {
					given++
				}
			}
			switch {
			case given != 1:
				return fmt.Errorf("give one of --source, --expression and --constant")
			case cmd.Flags().Changed("source"):
				m.Type, m.Source = "direct", source
			case cmd.Flags().Changed("expression"):
				m.Type, m.Expression = "expression", expression
			default:
				m.Type, m.Value = "constant", constant
			}
			if cmd.Flags().Changed("default") {
				m.Default = def
			}
			tm, err := run(cmd, e, f, "set mapping of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TypeMappings, error) {
				return c.SetJobMapping(ctx, args[0], typ, m)
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, tm, fmt.Sprintf("Mapped %s of %s's %s mapping.\n%s", target, args[0], typ, restartNote))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&target, "target", "", "the target attribute path (required)")
	fl.StringVar(&source, "source", "", "a source attribute of the directory (direct mapping)")
	fl.StringVar(&expression, "expression", "", "an expression, e.g. Join(\" \", [givenName], [surname])")
	fl.StringVar(&constant, "constant", "", "a constant value")
	fl.StringVar(&def, "default", "", "the value when the source is empty (on create only)")
	fl.StringVar(&apply, "apply", "", "always (default) or create (only when the account is created)")
	fl.IntVar(&match, "match", 0, "match accounts on this attribute, precedence N (1 first)")
	fl.BoolVar(&clear, "clear-when-empty", false, "an empty value clears the target attribute")
	_ = cmd.MarkFlagRequired("target")
	typeFlag(cmd, &typ)
	return cmd
}

func newJobMappingRemoveCmd(e *env, f *clientFlags) *cobra.Command {
	var typ, target string
	cmd := &cobra.Command{
		Use:   "remove APP --target PATH [--type user|group]",
		Short: "Remove the mapping of one target attribute",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkType(typ); err != nil {
				return err
			}
			tm, err := run(cmd, e, f, "remove mapping of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TypeMappings, error) {
				return c.RemoveJobMapping(ctx, args[0], typ, target)
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, tm, fmt.Sprintf("Removed the mapping of %s from %s's %s mapping.\n%s", target, args[0], typ, restartNote))
		},
	}
	cmd.Flags().StringVar(&target, "target", "", "the target attribute path (required)")
	_ = cmd.MarkFlagRequired("target")
	typeFlag(cmd, &typ)
	return cmd
}

func newJobMappingResetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "reset APP",
		Short: "Restore the default mappings and drop every scoping filter (users and groups)",
		Long: `Restore Microsoft Entra ID's default attribute mappings, fitted to what the
application's /Schemas declares, and drop every scoping filter, for users and groups,
as Entra's "Restore default mappings" does.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			j, err := run(cmd, e, f, "reset mappings of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Job, error) {
				return c.RestoreJobDefaults(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, j)
			}
			fmt.Fprintf(e.stdout, "Restored the default mappings of %s; no scoping filters.\n%s", args[0], restartNote)
			if j.TargetSchema != nil {
				printExcluded(e, j.TargetSchema.Excluded)
			}
			return nil
		},
	}
}

func newJobScopingCmd(e *env, f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scoping",
		Short: "List and edit a job's scoping filters",
		Long: `List and edit a job's scoping filters (Entra's "Source object scope"), for users
(default) or groups (--type group). A filter's clauses are ANDed; an object is in scope
when any filter matches (filters are ORed); no filters: every object of the job's scope.
A clause is "ATTRIBUTE OPERATOR [VALUE]", e.g. "department EQUALS Sales" or
"accountEnabled IS TRUE".`,
	}
	cmd.AddCommand(newJobScopingAddCmd(e, f), newJobScopingListCmd(e, f), newJobScopingRemoveCmd(e, f), newJobScopingClearCmd(e, f))
	return cmd
}

// printScoping prints one type's scoping filters, numbered from 1.
func printScoping(e *env, f *clientFlags, tm apitypes.TypeMappings, title string) error {
	if f.asJSON {
		return printJSON(e.stdout, tm)
	}
	if title != "" {
		fmt.Fprint(e.stdout, title)
	}
	if len(tm.Scoping) == 0 {
		fmt.Fprintf(e.stdout, "No scoping filters for %ss: every %s of the job's scope is provisioned.\n", tm.Type, tm.Type)
		return nil
	}
	rows := [][]string{{"FILTER", "CLAUSES (ANDed)"}}
	for i, fl := range tm.Scoping {
		rows = append(rows, []string{strconv.Itoa(i + 1), strings.Join(fl.Clauses, " AND ")})
	}
	return printTable(e.stdout, rows)
}

func newJobScopingListCmd(e *env, f *clientFlags) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "list APP [--type user|group]",
		Short: "List a job's scoping filters, numbered",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkType(typ); err != nil {
				return err
			}
			tm, err := run(cmd, e, f, "list scoping filters of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TypeMappings, error) {
				return c.JobScoping(ctx, args[0], typ)
			})
			if err != nil {
				return err
			}
			return printScoping(e, f, tm, "")
		},
	}
	typeFlag(cmd, &typ)
	return cmd
}

func newJobScopingAddCmd(e *env, f *clientFlags) *cobra.Command {
	var typ string
	var clauses []string
	cmd := &cobra.Command{
		Use:     `add APP --clause "ATTRIBUTE OPERATOR [VALUE]"... [--type user|group]`,
		Short:   "Add one scoping filter (its clauses ANDed)",
		Example: `  provisio job scoping add Portal --clause "department EQUALS Sales" --clause "accountEnabled IS TRUE"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkType(typ); err != nil {
				return err
			}
			if len(clauses) == 0 {
				return fmt.Errorf("give at least one --clause")
			}
			tm, err := run(cmd, e, f, "add scoping filter to "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TypeMappings, error) {
				return c.AddJobScopingFilter(ctx, args[0], typ, clauses)
			})
			if err != nil {
				return err
			}
			return printScoping(e, f, tm, fmt.Sprintf("Added scoping filter %d of %s's %ss.\n%s\n", len(tm.Scoping), args[0], typ, restartNote))
		},
	}
	cmd.Flags().StringArrayVar(&clauses, "clause", nil, `a clause "ATTRIBUTE OPERATOR [VALUE]" (repeat: ANDed)`)
	typeFlag(cmd, &typ)
	return cmd
}

func newJobScopingRemoveCmd(e *env, f *clientFlags) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "remove APP N [--type user|group]",
		Short: "Remove scoping filter N (as listed)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkType(typ); err != nil {
				return err
			}
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return fmt.Errorf("filter number %q: want 1 or more, as \"job scoping list\" numbers them", args[1])
			}
			tm, err := run(cmd, e, f, "remove scoping filter of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TypeMappings, error) {
				return c.RemoveJobScopingFilter(ctx, args[0], typ, n)
			})
			if err != nil {
				return err
			}
			return printScoping(e, f, tm, fmt.Sprintf("Removed scoping filter %d of %s's %ss.\n%s\n", n, args[0], typ, restartNote))
		},
	}
	typeFlag(cmd, &typ)
	return cmd
}

func newJobScopingClearCmd(e *env, f *clientFlags) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "clear APP [--type user|group]",
		Short: "Remove every scoping filter",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkType(typ); err != nil {
				return err
			}
			tm, err := run(cmd, e, f, "clear scoping filters of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TypeMappings, error) {
				return c.ClearJobScoping(ctx, args[0], typ)
			})
			if err != nil {
				return err
			}
			return printScoping(e, f, tm, fmt.Sprintf("Cleared the scoping filters of %s's %ss.\n", args[0], typ))
		},
	}
	typeFlag(cmd, &typ)
	return cmd
}
