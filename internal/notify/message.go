package notify

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// appName is the event's application for people: its name, else its id.
func appName(e jobs.JobEvent) string {
	if e.AppName != "" {
		return e.AppName
	}
	return e.AppID
}

// when formats a time for the message, in UTC.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// content is the subject and plain-text body of e's email: what happened
// to which job, and what to do about it.
func content(e jobs.JobEvent) (subject, body string) {
	name := appName(e)
	app := shellQuote(name)
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	switch e.Kind {
	case jobs.EventQuarantined, jobs.EventQuarantineChanged:
		if e.Kind == jobs.EventQuarantined {
			subject = fmt.Sprintf("Provisioning of %s is in quarantine", name)
			line("Provisioning of %s is in quarantine.", name)
		} else {
			subject = fmt.Sprintf("Provisioning of %s is still in quarantine, for another reason", name)
			line("Provisioning of %s is still in quarantine; the reason changed.", name)
		}
		line("")
		line("Reason: %s", e.Reason)
		if !e.Since.IsZero() {
			line("In quarantine since: %s", when(e.Since))
		}
		if !e.NextAttempt.IsZero() {
			line("Next attempt: %s", when(e.NextAttempt))
		}
		line("")
		line("While in quarantine its cycles are tried less and less often, down to once a day.")
		line("It leaves quarantine by itself when a cycle succeeds.")
		line("")
		line("What to do:")
		line("  provisio job status %s         see the reason and the next attempt", app)
		line("  provisio job logs %s --status failure   see what failed", app)
		line("  provisio job test %s           check the Tenant URL and credentials", app)
		line("Fix the cause (for refused credentials: provisio job configure %s --token-file FILE),", app)
		line("then end the quarantine at once: provisio job clear-quarantine %s", app)
	case jobs.EventDeletionsStaged:
		subject = fmt.Sprintf("Provisioning of %s staged %d deletions for your review", name, e.Count)
		line("A cycle of %s would have disabled or deleted %d accounts, more than the", name, e.Count)
		line("job's deletion threshold allows. They were staged, not sent, and the job is in quarantine.")
		if e.Reason != "" {
			line("")
			line("Reason: %s", e.Reason)
		}
		line("")
		line("What to do:")
		line("  provisio job staged %s          list the staged disables and deletes", app)
		line("If they are meant:  provisio job allow-deletes %s   (the next cycle sends them)", app)
		line("If not, fix the directory (assignments, scoping filters): the next cycle drops them.")
	case jobs.EventRecovered:
		subject = fmt.Sprintf("Provisioning of %s has recovered", name)
		line("Provisioning of %s left quarantine and runs at its normal interval again.", name)
		if e.Reason != "" {
			line("")
			line("%s", e.Reason)
		}
		line("")
		line("  provisio job status %s", app)
	case jobs.EventCredentialsWarn:
		subject = fmt.Sprintf("The credentials of %s need attention", name)
		line("The credentials provisioning uses for %s need attention before the job ends in quarantine.", name)
		line("")
		line("Reason: %s", e.Reason)
		line("")
		line("What to do:")
		line("  provisio job configure %s --token-file FILE   give new credentials", app)
		line("  provisio job test %s           check them", app)
	default:
		subject = fmt.Sprintf("Provisioning of %s: %s", name, e.Kind)
		line("Provisioning of %s: %s.", name, e.Kind)
		if e.Reason != "" {
			line("")
			line("Reason: %s", e.Reason)
		}
	}
	line("")
	line("Application: %s (id %s), provisioning job %s. Event at %s.", name, e.AppID, e.JobID, when(e.At))
	line("--")
	line("Provisio sends one message per change of the job's state to its notification address")
	line("(provisio job configure %s --notification-email ADDRESS; empty stops them).", app)
	return "Provisio: " + oneLine(subject), b.String()
}

// message is e's email to its notification address: RFC 5322 headers
// (RFC 2047 encoded subject) and a quoted-printable UTF-8 text body.
func (n *Notifier) message(e jobs.JobEvent, id string) []byte {
	subject, body := content(e)
	domain := "provisio.invalid"
	if _, d, ok := strings.Cut(n.from, "@"); ok {
		domain = d
	}
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", n.from)
	h("To", e.NotificationEmail)
	h("Subject", mime.QEncoding.Encode("utf-8", subject))
	h("Date", e.At.Format(time.RFC1123Z))
	h("Message-ID", "<"+id+"@"+domain+">")
	h("Auto-Submitted", "auto-generated") // RFC 3834 §5
	h("X-Provisio-Event", string(e.Kind))
	h("MIME-Version", "1.0")
	h("Content-Type", `text/plain; charset="utf-8"`)
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(body)) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	return b.Bytes()
}

// oneLine replaces line breaks and other control characters: a header
// holds one line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// shellQuote quotes s for a POSIX shell when it needs it, for commands
// an administrator copies from the message.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@/:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
