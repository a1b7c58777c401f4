package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/scim/server"
)

func newPolicyCmd(e *env, f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Show or change a tenant's SCIM compatibility policy",
		Long: `Show or change a tenant's SCIM compatibility policy: the choices where SCIM clients
disagree (lenient filters, PATCH answered 200 or 204, value-path upsert, unknown
attributes). Presets: default (Entra ID and Okta), entra, okta, rfc (strict RFC 7644).`,
	}
	cmd.AddCommand(newPolicyGetCmd(e, f), newPolicySetCmd(e, f))
	return cmd
}

func newPolicyGetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get TENANT_ID",
		Short: "Show a tenant's policy",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := run(cmd, e, f, "get policy of tenant "+args[0], func(ctx context.Context, c *apiclient.Client) (server.Policy, error) {
				return decodePolicy(c.Policy(ctx, args[0]))
			})
			if err != nil {
				return err
			}
			return printPolicy(e, f, p)
		},
	}
}

func newPolicySetCmd(e *env, f *clientFlags) *cobra.Command {
	var preset, raw string
	cmd := &cobra.Command{
		Use:   "set TENANT_ID (--preset NAME | --policy JSON)",
		Short: "Replace a tenant's policy with a preset or a JSON policy",
		Example: `  provisio tenant policy set 3k9x0c2m7q1z --preset entra
  provisio tenant policy set 3k9x0c2m7q1z --policy '{"patchResponse":"204"}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var body any
			switch {
			case (preset == "") == (raw == ""):
				return fmt.Errorf("give exactly one of --preset and --policy")
			case preset != "":
				p, ok := server.PolicyByName(preset)
				if !ok {
					return fmt.Errorf("unknown preset %q: want default, entra, okta or rfc", preset)
				}
				body = p
			default:
				if !json.Valid([]byte(raw)) {
					return fmt.Errorf("--policy is not valid JSON")
				}
				body = json.RawMessage(raw)
			}
			p, err := run(cmd, e, f, "set policy of tenant "+args[0], func(ctx context.Context, c *apiclient.Client) (server.Policy, error) {
				return decodePolicy(c.SetPolicy(ctx, args[0], body))
			})
			if err != nil {
				return err
			}
			return printPolicy(e, f, p)
		},
	}
	cmd.Flags().StringVar(&preset, "preset", "", "a preset: default, entra, okta or rfc")
	cmd.Flags().StringVar(&raw, "policy", "", "a JSON policy object; omitted fields take the default preset's values")
	return cmd
}

// decodePolicy reads a policy answer of the admin API.
func decodePolicy(raw json.RawMessage, err error) (server.Policy, error) {
	var p server.Policy
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("decode policy: %w", err)
	}
	return p, nil
}

func printPolicy(e *env, f *clientFlags, p server.Policy) error {
	if f.asJSON {
		return printJSON(e.stdout, p)
	}
	return printTable(e.stdout, [][]string{
		{"SETTING", "VALUE"},
		{"lenientFilters", strconv.FormatBool(p.LenientFilters)},
		{"patchResponse", p.PatchResponse},
		{"valuePathUpsert", strconv.FormatBool(p.ValuePathUpsert)},
		{"unknownAttributes", p.UnknownAttributes},
	})
}
