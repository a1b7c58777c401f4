// Package notify tells people of provisioning jobs' state changes: a
// [Notifier] is a jobs.JobObserver that sends one message per
// jobs.JobEvent (never one per object) by email to the job's notification
// address (Entra's notification email: on quarantine, when its reason
// changes, when deletions are staged; reference §3.13) and by an HTTP POST
// of the event as JSON, signed with HMAC-SHA256, to the job's webhook.
//
// JobEvent only queues (a bounded queue; a full queue drops the message
// with an error log): one worker ([Notifier.Run]) sends, so a slow or
// failing SMTP server or webhook never blocks a cycle nor the caller.
// A failed send is logged and retried with exponential backoff up to
// Options.Attempts times, then dropped with an error log. Without a mail
// server, emails are logged at info ("would notify") instead of sent.
// Nothing here logs a password, a webhook secret or a message body.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// Defaults of [Options].
const (
	DefaultQueueSize = 256
	DefaultAttempts  = 6
	DefaultBackoff   = 30 * time.Second // doubled after every failure
	MaxBackoff       = 30 * time.Minute
	DefaultTimeout   = 30 * time.Second // one webhook POST
)

// Mailer sends one message (package mailer's *Mailer).
type Mailer interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// Options configure a Notifier.
type Options struct {
	// Mailer sends the emails, from From; nil logs them instead.
	Mailer Mailer
	From   string
	// Webhook returns an application's webhook (jobs.Service.Webhook);
	// nil sends no webhooks.
	Webhook func(ctx context.Context, appID string) (jobs.Webhook, error)
	// Outbound restricts the hosts webhooks connect to (nil: any).
	Outbound *outbound.Policy
	// QueueSize bounds the messages waiting to be sent or retried.
	QueueSize int
	// Attempts bounds the tries of one message; Backoff is the wait
	// before the second, doubled for every further one (at most
	// MaxBackoff); Timeout bounds one webhook POST.
	Attempts int
	Backoff  time.Duration
	Timeout  time.Duration
	Logger   *slog.Logger
}

// Notifier sends job events by email and webhook. Its JobEvent is safe
// for concurrent use and never blocks.
type Notifier struct {
	mailer  Mailer
	from    string
	webhook func(ctx context.Context, appID string) (jobs.Webhook, error)
	policy  *outbound.Policy
	max     int
	tries   int
	backoff time.Duration
	timeout time.Duration
	log     *slog.Logger
	queue   chan *delivery
}

var _ jobs.JobObserver = (*Notifier)(nil)

// New returns a Notifier; nothing is sent until Run runs.
func New(o Options) *Notifier {
	n := &Notifier{mailer: o.Mailer, from: o.From, webhook: o.Webhook, policy: o.Outbound, max: o.QueueSize,
		tries: o.Attempts, backoff: o.Backoff, timeout: o.Timeout, log: o.Logger}
	if n.max <= 0 {
		n.max = DefaultQueueSize
	}
	if n.tries <= 0 {
		n.tries = DefaultAttempts
	}
	if n.backoff <= 0 {
		n.backoff = DefaultBackoff
	}
	if n.timeout <= 0 {
		n.timeout = DefaultTimeout
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	n.queue = make(chan *delivery, n.max)
	return n
}

// channel is how a delivery is sent.
type channel string

const (
	byEmail   channel = "email"
	byWebhook channel = "webhook"
)

// delivery is one message of one event on one channel.
type delivery struct {
	ch      channel
	ev      jobs.JobEvent
	id      string // the event's id, shared by its channels
	body    []byte // the email message, or the webhook JSON
	attempt int    // tries so far
	due     time.Time
}

// CycleStarted implements jobs.Observer: cycles are not notified.
func (*Notifier) CycleStarted(jobs.CycleInfo) {}

// ActionLogged implements jobs.Observer: objects are never notified one
// by one.
func (*Notifier) ActionLogged(jobs.CycleInfo, provisioning.LogEntry) {}

// CycleFinished implements jobs.Observer.
func (*Notifier) CycleFinished(jobs.CycleInfo, *jobs.CycleSummary, error) {}

// JobEvent implements jobs.JobObserver: it queues the event's email (to
// its NotificationEmail, if any) and webhook POST (if Options.Webhook is
// set; the job's webhook is looked up when it is sent).
func (n *Notifier) JobEvent(e jobs.JobEvent) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	id := uuid.NewString()
	if e.NotificationEmail != "" {
		if n.mailer == nil {
			subject, _ := content(e)
			n.log.Info("would notify by email (no --smtp-url)", n.attrs(e, id, "to", e.NotificationEmail, "subject", subject)...)
		} else {
			n.enqueue(&delivery{ch: byEmail, ev: e, id: id, body: n.message(e, id)})
		}
	}
	if n.webhook != nil {
		body, err := payload(e, id)
		if err != nil {
			n.log.Error("notification dropped: encode webhook body", n.attrs(e, id, "err", err)...)
			return
		}
		n.enqueue(&delivery{ch: byWebhook, ev: e, id: id, body: body})
	}
}

func (n *Notifier) enqueue(d *delivery) {
	select {
	case n.queue <- d:
	default:
		n.log.Error("notification dropped: queue full", n.attrs(d.ev, d.id, "channel", d.ch, "queue", n.max)...)
	}
}

// attrs are the log attributes of an event, then more.
func (n *Notifier) attrs(e jobs.JobEvent, id string, more ...any) []any {
	return append([]any{"event", e.Kind, "app", e.AppID, "job", e.JobID, "notification", id}, more...)
}

// Run sends queued messages and retries failed ones until ctx ends; the
// messages still waiting then are dropped (and counted in a warning). It
// returns nil.
func (n *Notifier) Run(ctx context.Context) error {
	var pending []*delivery // by due time; at most n.max
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		for ctx.Err() == nil && len(pending) > 0 && !pending[0].due.After(time.Now()) {
			d := pending[0]
			pending = pending[1:]
			if n.send(ctx, d) {
				pending = insert(pending, d)
			}
		}
		intake := n.queue
		if len(pending) >= n.max {
			intake = nil // full: new events wait in the queue, or are dropped there
		}
		var wake <-chan time.Time
		if len(pending) > 0 {
			timer.Reset(time.Until(pending[0].due))
			wake = timer.C
		}
		select {
		case <-ctx.Done():
			if left := len(pending) + len(n.queue); left > 0 {
				n.log.Warn("shutting down: notifications not sent", "count", left)
			}
			return nil
		case d := <-intake:
			d.due = time.Now()
			pending = insert(pending, d)
		case <-wake:
		}
	}
}

// insert adds d to pending, kept in order of due time.
func insert(pending []*delivery, d *delivery) []*delivery {
	i, _ := slices.BinarySearchFunc(pending, d.due, func(p *delivery, t time.Time) int {
		if p.due.After(t) {
			return 1
		}
		return -1
	})
	return slices.Insert(pending, i, d)
}

// send tries d once and says whether to try it again (d.due set).
func (n *Notifier) send(ctx context.Context, d *delivery) (retry bool) {
	d.attempt++
	var err error
	switch d.ch {
	case byEmail:
		err = n.mailer.Send(ctx, n.from, []string{d.ev.NotificationEmail}, d.body)
	case byWebhook:
		err = n.post(ctx, d)
	}
	switch {
	case err == nil:
		n.log.Info("notified", n.attrs(d.ev, d.id, "channel", d.ch, "attempt", d.attempt)...)
		return false
	case ctx.Err() != nil:
		return true // shutting down: Run counts it
	case errors.Is(err, errPermanent) || d.attempt >= n.tries:
		n.log.Error("notification dropped: not sent", n.attrs(d.ev, d.id, "channel", d.ch, "attempts", d.attempt, "err", err)...)
		return false
	}
	wait := min(n.backoff<<(d.attempt-1), MaxBackoff)
	d.due = time.Now().Add(wait)
	n.log.Warn("notification not sent; will retry", n.attrs(d.ev, d.id, "channel", d.ch, "attempt", d.attempt, "retry_in", wait, "err", err)...)
	return true
}

// errPermanent marks a failure that a retry would not mend.
var errPermanent = errors.New("permanent failure")

// client is the HTTP client of one webhook URL, held to the outbound
// policy, following no redirects.
func (n *Notifier) client(rawURL string) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if c := n.policy.DialControl(rawURL); c != nil {
		t.DialContext = dialer(c).DialContext
		t.Proxy = nil // the control must see the target's address, not a proxy's
	}
	t.DisableKeepAlives = true // one POST now and then
	return &http.Client{Transport: t, Timeout: n.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
