package notify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/notify"
	"github.com/provisio-dev/provisio/internal/notify/mailer"
	"github.com/provisio-dev/provisio/internal/notify/smtptest"
	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

const (
	smtpPass  = "smtp-Pa55-MARKER"
	hookKey   = "hook-K3y-MARKER"
	fromAddr  = "provisio@example.com"
	opsAddr   = "ops@example.com"
	eventWait = 10 * time.Second
)

var (
	t0   = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	base = jobs.JobEvent{JobID: "job-1", AppID: "app-1", AppName: "Uni-tel Portal", NotificationEmail: opsAddr, At: t0}
)

// logBuffer collects a Notifier's log, safe for its worker goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// count is how many lines of the log contain s.
func (l *logBuffer) count(s string) int { return strings.Count(l.String(), s) }

// waitLog waits until the log has n lines containing s.
func (l *logBuffer) waitLog(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	for l.count(s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("log has %d lines with %q, want %d:\n%s", l.count(s), s, n, l)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// start runs a Notifier with o until the test ends; its log goes to the
// returned buffer.
func start(t *testing.T, o notify.Options) (*notify.Notifier, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.Backoff == 0 {
		o.Backoff = 10 * time.Millisecond
	}
	n := notify.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		for _, secret := range []string{smtpPass, hookKey} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log shows a secret:\n%s", logs)
			}
		}
	})
	return n, logs
}

// smtpMailer starts an SMTP server (STARTTLS, AUTH) and a Mailer for it.
func smtpMailer(t *testing.T) (*smtptest.Server, *mailer.Mailer) {
	srv := smtptest.Start(t, smtptest.Options{StartTLS: true, User: "ops", Pass: smtpPass})
	s, err := mailer.Parse("smtp://ops:" + smtpPass + "@" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return srv, mailer.New(s, mailer.Options{TLS: &tls.Config{RootCAs: srv.RootCAs}, Timeout: 5 * time.Second})
}

// decoded is a received message's subject and text body.
func decoded(t *testing.T, m smtptest.Message) (subject, body string, h mail.Header) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, m.Data)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q, want quoted-printable", cte)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return subject, string(b), msg.Header
}

func TestEmailOnePerEvent(t *testing.T) {
	srv, m := smtpMailer(t)
	n, _ := start(t, notify.Options{Mailer: m, From: fromAddr})
	tests := []struct {
		name        string
		ev          jobs.JobEvent
		wantSubject string
		wantBody    []string
	}{
		{name: "quarantined", ev: with(base, func(e *jobs.JobEvent) {
			e.Kind, e.Reason, e.Since, e.NextAttempt = jobs.EventQuarantined, "the application refused the credentials (401)", t0, t0.Add(time.Hour)
		}), wantSubject: "Provisio: Provisioning of Uni-tel Portal is in quarantine",
			wantBody: []string{"refused the credentials (401)", "since: 2026-12-03 12:00:00 UTC", "Next attempt: 2026-12-03 13:00:00 UTC",
				"provisio job clear-quarantine 'Uni-tel Portal'", "job job-1"}},
		{name: "reason changed", ev: with(base, func(e *jobs.JobEvent) {
			e.Kind, e.Reason = jobs.EventQuarantineChanged, "more than 40% of the requests failed"
		}), wantSubject: "still in quarantine, for another reason", wantBody: []string{"reason changed", "more than 40% of the requests failed"}},
		{name: "deletions staged", ev: with(base, func(e *jobs.JobEvent) { e.Kind, e.Count = jobs.EventDeletionsStaged, 37 }),
			wantSubject: "staged 37 deletions", wantBody: []string{"37 accounts", "provisio job staged 'Uni-tel Portal'", "provisio job allow-deletes 'Uni-tel Portal'"}},
		{name: "recovered", ev: with(base, func(e *jobs.JobEvent) { e.Kind = jobs.EventRecovered }),
			wantSubject: "has recovered", wantBody: []string{"left quarantine"}},
		{name: "credentials warning", ev: with(base, func(e *jobs.JobEvent) {
			e.Kind, e.Reason, e.AppName = jobs.EventCredentialsWarn, "the access token expires in 3 days", "Ünïcode\r\nBcc: x@evil.example"
		}), wantSubject: "The credentials of Ünïcode  Bcc: x@evil.example need attention", wantBody: []string{"expires in 3 days", "--token-file"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n.JobEvent(tc.ev)
			got := srv.Wait(i+1, eventWait)
			if len(got) != i+1 {
				t.Fatalf("server received %d messages after %d events, want one per event", len(got), i+1)
			}
			msg := got[i]
			subject, body, h := decoded(t, msg)
			if msg.From != fromAddr || len(msg.To) != 1 || msg.To[0] != opsAddr || !msg.TLS || msg.AuthUser != "ops" {
				t.Errorf("envelope from %q to %q tls %v auth %q, want from %s to %s over TLS as ops", msg.From, msg.To, msg.TLS, msg.AuthUser, fromAddr, opsAddr)
			}
			if h.Get("From") != fromAddr || h.Get("To") != opsAddr || h.Get("Bcc") != "" {
				t.Errorf("headers From %q To %q Bcc %q, want %s, %s, none", h.Get("From"), h.Get("To"), h.Get("Bcc"), fromAddr, opsAddr)
			}
			if !strings.Contains(subject, tc.wantSubject) {
				t.Errorf("subject = %q, want it to contain %q", subject, tc.wantSubject)
			}
			for _, w := range append(tc.wantBody, "(id app-1)") {
				if !strings.Contains(body, w) {
					t.Errorf("body does not contain %q:\n%s", w, body)
				}
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if got := len(srv.Messages()); got != len(tests) {
		t.Errorf("server received %d messages for %d events, want one each", got, len(tests))
	}
}

func with(e jobs.JobEvent, f func(*jobs.JobEvent)) jobs.JobEvent {
	f(&e)
	return e
}

func TestEmailRetriedThenDropped(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		attempts  int
		wantSent  int
		wantRetry int
		wantDrop  int
	}{
		{name: "sent on the third try", failures: 2, attempts: 4, wantSent: 1, wantRetry: 2},
		{name: "dropped after the last try", failures: 100, attempts: 3, wantSent: 0, wantRetry: 2, wantDrop: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, m := smtpMailer(t)
			srv.FailNext(tc.failures)
			n, logs := start(t, notify.Options{Mailer: m, From: fromAddr, Attempts: tc.attempts})
			began := time.Now()
			n.JobEvent(with(base, func(e *jobs.JobEvent) { e.Kind = jobs.EventQuarantined }))
			if d := time.Since(began); d > 50*time.Millisecond {
				t.Errorf("JobEvent took %s, want it to return at once", d)
			}
			if tc.wantSent > 0 {
				logs.waitLog(t, "level=INFO msg=notified", 1)
			} else {
				logs.waitLog(t, "notification dropped: not sent", tc.wantDrop)
			}
			if got := len(srv.Messages()); got != tc.wantSent {
				t.Errorf("server received %d messages, want %d", got, tc.wantSent)
			}
			if got := logs.count("will retry"); got != tc.wantRetry || !strings.Contains(logs.String(), "451") {
				t.Errorf("log has %d retries, want %d with the server's 451:\n%s", got, tc.wantRetry, logs)
			}
			if got := logs.count("level=ERROR"); got != tc.wantDrop {
				t.Errorf("log has %d errors, want %d:\n%s", got, tc.wantDrop, logs)
			}
		})
	}
}

// TestSlowServerNeverBlocks: an SMTP server that accepts connections and
// never answers holds the worker, never the callers of JobEvent.
func TestSlowServerNeverBlocks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // silent: no greeting
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	s, _ := mailer.Parse("smtp://" + ln.Addr().String())
	n, logs := start(t, notify.Options{Mailer: mailer.New(s, mailer.Options{Timeout: 300 * time.Millisecond}), From: fromAddr, Attempts: 1, QueueSize: 3})
	began := time.Now()
	for range 10 {
		n.JobEvent(with(base, func(e *jobs.JobEvent) { e.Kind = jobs.EventRecovered }))
	}
	if d := time.Since(began); d > 100*time.Millisecond {
		t.Errorf("10 JobEvents took %s with a stalled SMTP server, want them to return at once", d)
	}
	logs.waitLog(t, "notification dropped: not sent", 1)
	if got := logs.count("notification dropped: queue full"); got < 5 {
		t.Errorf("log has %d queue-full drops, want at least 5 of 10 events beyond a queue of 3:\n%s", got, logs)
	}
}

func TestNoMailerLogs(t *testing.T) {
	n, logs := start(t, notify.Options{})
	n.JobEvent(with(base, func(e *jobs.JobEvent) { e.Kind = jobs.EventQuarantined }))
	n.JobEvent(with(base, func(e *jobs.JobEvent) { e.Kind, e.NotificationEmail = jobs.EventRecovered, "" }))
	got := logs.String()
	if logs.count("would notify") != 1 || !strings.Contains(got, "level=INFO") || !strings.Contains(got, "to="+opsAddr) ||
		!strings.Contains(got, "Uni-tel Portal is in quarantine") {
		t.Errorf("log = %q, want one info line \"would notify\" naming the address and subject", got)
	}
}

func TestWebhook(t *testing.T) {
	type post struct {
		header http.Header
		body   []byte
	}
	posts := make(chan post, 10)
	var mu sync.Mutex
	statuses := []int{} // answered in turn, then 204
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		status := http.StatusNoContent
		if len(statuses) > 0 {
			status, statuses = statuses[0], statuses[1:]
		}
		mu.Unlock()
		if status < 300 {
			posts <- post{r.Header.Clone(), b}
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(hook.Close)
	lookup := func(_ context.Context, appID string) (jobs.Webhook, error) {
		if appID == "no-hook" {
			return jobs.Webhook{}, nil
		}
		return jobs.Webhook{URL: hook.URL + "/provisio", Secret: []byte(hookKey)}, nil
	}
	tests := []struct {
		name      string
		statuses  []int
		ev        jobs.JobEvent
		wantPost  bool
		wantLog   string
		wantField map[string]any
	}{
		{name: "quarantined", ev: with(base, func(e *jobs.JobEvent) {
			e.Kind, e.Reason, e.Since, e.NextAttempt = jobs.EventQuarantined, "credentials refused", t0, t0.Add(time.Hour)
		}), wantPost: true, wantField: map[string]any{"kind": "quarantined", "appId": "app-1", "appName": "Uni-tel Portal", "jobId": "job-1",
			"reason": "credentials refused", "since": "2026-12-03T12:00:00Z", "nextAttempt": "2026-12-03T13:00:00Z", "at": "2026-12-03T12:00:00Z"}},
		{name: "retried after 503 and 500", statuses: []int{503, 500}, ev: with(base, func(e *jobs.JobEvent) { e.Kind, e.Count = jobs.EventDeletionsStaged, 12 }),
			wantPost: true, wantLog: "will retry", wantField: map[string]any{"kind": "deletions-staged", "count": float64(12)}},
		{name: "refused 400 is not retried", statuses: []int{400}, ev: with(base, func(e *jobs.JobEvent) { e.Kind = jobs.EventRecovered }),
			wantLog: "notification dropped: not sent"},
		{name: "job without webhook", ev: with(base, func(e *jobs.JobEvent) { e.Kind, e.AppID = jobs.EventRecovered, "no-hook" })},
	}
	n, logs := start(t, notify.Options{Webhook: lookup, Attempts: 3})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			statuses = tc.statuses
			mu.Unlock()
			before := logs.count(tc.wantLog)
			tc.ev.NotificationEmail = "" // webhook only
			n.JobEvent(tc.ev)
			if !tc.wantPost {
				if tc.wantLog != "" {
					logs.waitLog(t, tc.wantLog, before+1)
				}
				select {
				case p := <-posts:
					t.Errorf("webhook received %s, want nothing", p.body)
				case <-time.After(100 * time.Millisecond):
				}
				return
			}
			var p post
			select {
			case p = <-posts:
			case <-time.After(eventWait):
				t.Fatal("webhook received nothing")
			}
			m := hmac.New(sha256.New, []byte(hookKey))
			m.Write(p.body)
			if want := "sha256=" + hex.EncodeToString(m.Sum(nil)); !hmac.Equal([]byte(p.header.Get("X-Provisio-Signature")), []byte(want)) {
				t.Errorf("X-Provisio-Signature = %q, want %q", p.header.Get("X-Provisio-Signature"), want)
			}
			var got map[string]any
			if err := json.Unmarshal(p.body, &got); err != nil {
				t.Fatalf("body %s: %v", p.body, err)
			}
			for k, v := range tc.wantField {
				if got[k] != v {
					t.Errorf("body[%q] = %v, want %v (body %s)", k, got[k], v, p.body)
				}
			}
			if id, _ := got["id"].(string); id == "" || p.header.Get("X-Provisio-Delivery") != id ||
				p.header.Get("X-Provisio-Event") != string(tc.ev.Kind) || p.header.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v, want the event kind, the body's id %q and JSON", p.header, id)
			}
			if tc.wantLog != "" && logs.count(tc.wantLog) != before+len(tc.statuses) {
				t.Errorf("log has %d lines with %q, want %d", logs.count(tc.wantLog)-before, tc.wantLog, len(tc.statuses))
			}
		})
	}
}

func TestWebhookHeldToOutboundPolicy(t *testing.T) {
	var hits atomic.Int64
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(hook.Close)
	policy, err := outbound.Parse("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	n, logs := start(t, notify.Options{Outbound: policy, Attempts: 2,
		Webhook: func(context.Context, string) (jobs.Webhook, error) {
			return jobs.Webhook{URL: hook.URL, Secret: []byte(hookKey)}, nil
		}})
	n.JobEvent(with(base, func(e *jobs.JobEvent) { e.Kind, e.NotificationEmail = jobs.EventRecovered, "" }))
	logs.waitLog(t, "notification dropped: not sent", 1)
	if hits.Load() != 0 || !strings.Contains(logs.String(), "outbound-allow") {
		t.Errorf("log does not say the webhook was refused by --outbound-allow:\n%s", logs)
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name, secret, body, want string
	}{
		// RFC 4231 §4.3, test case 2.
		{name: "rfc 4231 case 2", secret: "Jefe", body: "what do ya want for nothing?",
			want: "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{name: "empty body", secret: "k", body: "", want: "sha256=" + hexHMAC("k", "")},
	}
	for _, tc := range tests {
		if got := notify.Sign([]byte(tc.secret), []byte(tc.body)); got != tc.want {
			t.Errorf("%s: Sign(%q, %q) = %s, want %s", tc.name, tc.secret, tc.body, got, tc.want)
		}
	}
}

func hexHMAC(key, body string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}
