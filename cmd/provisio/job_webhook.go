package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// webhookFlags are the webhook settings of `job configure`: where the
// job's events are POSTed, and a file holding the secret that signs them
// (never a flag value: secrets stay out of shell history).
type webhookFlags struct{ url, secretFile string }

func (w *webhookFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&w.url, "webhook-url", "", "POST the job's events (quarantine, staged deletions, recovery) as signed JSON to this URL (empty removes it)")
	fl.StringVar(&w.secretFile, "webhook-secret-file", "", "a file holding the webhook's secret, the HMAC-SHA256 key of X-Provisio-Signature")
}

// apply puts the webhook flags given on cmd into req.
func (w *webhookFlags) apply(e *env, cmd *cobra.Command, req *apitypes.ConfigureJob) error {
	if cmd.Flags().Changed("webhook-url") {
		req.WebhookURL = &w.url
	}
	if w.secretFile == "" {
		return nil
	}
	b, err := e.readFile(w.secretFile)
	if err != nil {
		return fmt.Errorf("read --webhook-secret-file: %w", err)
	}
	if req.WebhookSecret = strings.TrimSpace(string(b)); req.WebhookSecret == "" {
		return fmt.Errorf("--webhook-secret-file %s is empty", w.secretFile)
	}
	return nil
}

// webhookRows are the rows of a job's webhook in `job get`.
func webhookRows(j apitypes.Job) [][]string {
	return [][]string{
		{"webhookUrl", j.WebhookURL},
		{"webhookSecret", map[bool]string{true: "set (hidden)", false: "not set"}[j.WebhookSecretSet]},
	}
}
