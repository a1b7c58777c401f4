package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/store"
)

// Webhook is a job's webhook as its sender needs it: where the job's
// events are posted and the key of their HMAC signature (internal/notify).
type Webhook struct {
	URL    string // "" when the job has none
	Secret []byte
}

// webhookAD binds a sealed webhook secret to its job and purpose, so it
// never opens as the Secret Token and the other way round.
func webhookAD(appID string) []byte { return []byte(appID + "\x00webhook") }

// applyWebhook applies the webhook settings of c to j: a URL needs a
// secret (given now or kept from before); clearing the URL drops the
// secret.
func (s *Service) applyWebhook(j *store.Job, c Config) error {
	if c.WebhookURL != nil {
		if *c.WebhookURL != "" {
			if err := checkURL("webhook url", *c.WebhookURL); err != nil {
				return err
			}
		}
		j.WebhookURL = *c.WebhookURL
	}
	switch {
	case j.WebhookURL == "" && c.WebhookSecret != "":
		return errors.New("a webhook secret needs a webhook url")
	case j.WebhookURL == "":
		j.WebhookSecret = nil
	case c.WebhookSecret != "":
		sealed, err := s.box.Seal([]byte(c.WebhookSecret), webhookAD(j.AppID))
		if err != nil {
			return fmt.Errorf("encrypt webhook secret: %w", err)
		}
		j.WebhookSecret = sealed
	case len(j.WebhookSecret) == 0:
		return errors.New("a webhook url needs a webhook secret, the key of its signature")
	}
	return nil
}

// Webhook returns the application's webhook with its secret decrypted,
// for the notifier that posts its events; the secret goes nowhere else.
func (s *Service) Webhook(ctx context.Context, appID string) (Webhook, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return Webhook{}, err
	}
	if j.WebhookURL == "" {
		return Webhook{}, nil
	}
	key, err := s.box.Open(j.WebhookSecret, webhookAD(j.AppID))
	if err != nil {
		return Webhook{}, fmt.Errorf("job of app %q: decrypt webhook secret: %w", appID, err)
	}
	return Webhook{URL: j.WebhookURL, Secret: key}, nil
}

// webhookCleartextWarning is shown with a job whose webhook URL is plain
// http to a host that is not loopback.
const webhookCleartextWarning = "the webhook url is plain http to a host that is not loopback: job events travel in clear; use https"

// webhookWarnings are the warnings of j's webhook settings.
func webhookWarnings(j store.Job) []string {
	if outbound.Cleartext(j.WebhookURL) {
		return []string{webhookCleartextWarning}
	}
	return nil
}
