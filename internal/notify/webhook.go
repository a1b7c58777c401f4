package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// Webhook request headers.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the
	// body keyed with the job's webhook secret (see [Sign]).
	SignatureHeader = "X-Provisio-Signature"
	// EventHeader is the event kind; DeliveryHeader the event id (the
	// body's "id"), the same on every retry: a receiver drops repeats by
	// it.
	EventHeader    = "X-Provisio-Event"
	DeliveryHeader = "X-Provisio-Delivery"
)

// Payload is the JSON body of a webhook POST: one jobs.JobEvent.
type Payload struct {
	ID          string            `json:"id"`
	Kind        jobs.JobEventKind `json:"kind"`
	JobID       string            `json:"jobId"`
	AppID       string            `json:"appId"`
	AppName     string            `json:"appName"`
	Reason      string            `json:"reason,omitempty"`
	Since       time.Time         `json:"since,omitzero"`
	NextAttempt time.Time         `json:"nextAttempt,omitzero"`
	Count       int               `json:"count,omitempty"`
	At          time.Time         `json:"at"`
}

// payload encodes e as a webhook body.
func payload(e jobs.JobEvent, id string) ([]byte, error) {
	return json.Marshal(Payload{ID: id, Kind: e.Kind, JobID: e.JobID, AppID: e.AppID, AppName: appName(e),
		Reason: e.Reason, Since: e.Since.UTC(), NextAttempt: e.NextAttempt.UTC(), Count: e.Count, At: e.At.UTC()})
}

// Sign is the value of the X-Provisio-Signature header of body:
// "sha256=" and the lower-case hex HMAC-SHA256 (RFC 2104) of the body
// keyed with the webhook secret. A receiver computes the same over the raw
// body and compares in constant time (hmac.Equal).
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// post sends d to its job's webhook. A job without one (or gone) is done.
func (n *Notifier) post(ctx context.Context, d *delivery) error {
	hook, err := n.webhook(ctx, d.ev.AppID)
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("read webhook: %w", err)
	case hook.URL == "":
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(d.body))
	if err != nil {
		return fmt.Errorf("webhook: %w: %w", errPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Provisio-Webhook/1")
	req.Header.Set(EventHeader, string(d.ev.Kind))
	req.Header.Set(DeliveryHeader, d.id)
	req.Header.Set(SignatureHeader, Sign(hook.Secret, d.body))
	resp, err := n.client(hook.URL).Do(req)
	if err != nil {
		// The URL is the job's setting, not a secret; the error names it.
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500:
		return fmt.Errorf("webhook %s: status %d", req.URL.Host, c)
	default: // a redirect or a refusal: the same request would get the same
		return fmt.Errorf("webhook %s: status %d: %w", req.URL.Host, c, errPermanent)
	}
}

// dialer is http.DefaultTransport's dialer with a Control.
func dialer(control func(network, address string, c syscall.RawConn) error) *net.Dialer {
	return &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: control}
}
