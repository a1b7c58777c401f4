// Package mailer owns Provisio's SMTP submission: the --smtp-url setting
// (smtp://[user:pass@]host:port with STARTTLS when the server offers it,
// RFC 3207; smtps:// with implicit TLS, RFC 8314 §3.3) and the sending of
// one ready-made message to its recipients (RFC 5321).
//
// It uses net/smtp from the standard library: frozen, but complete for
// submission (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA), and its
// PlainAuth refuses to send a password over a connection that is not
// encrypted (except to localhost), so credentials never travel in clear.
// A maintained third-party client would add a dependency for nothing the
// notifications need. The password is never logged nor put in an error.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strconv"
	"time"
)

// Default ports when --smtp-url names none: SMTP (RFC 5321 §4.5.4.2
// names 25) and submission over implicit TLS (RFC 8314 §7.3, 465).
const (
	DefaultPort    = "25"
	DefaultTLSPort = "465"
)

// DefaultTimeout bounds one submission: dial, TLS, every command and the
// message.
const DefaultTimeout = 30 * time.Second

// Server is a parsed --smtp-url.
type Server struct {
	Host        string // host name or address, no port
	Port        string
	ImplicitTLS bool // smtps://
	Username    string
	password    string
}

// Parse reads an smtp://[user:pass@]host[:port] or smtps:// URL. Its
// errors never repeat the URL (it may hold a password).
func Parse(raw string) (Server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Server{}, errors.New("not a URL (smtp://[user:pass@]host:port or smtps://...)")
	}
	var s Server
	switch u.Scheme {
	case "smtp":
		s.Port = DefaultPort
	case "smtps":
		s.ImplicitTLS, s.Port = true, DefaultTLSPort
	default:
		return Server{}, fmt.Errorf("scheme %q: want smtp or smtps", u.Scheme)
	}
	if s.Host = u.Hostname(); s.Host == "" {
		return Server{}, errors.New("no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Server{}, fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
		s.Port = p
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Server{}, errors.New("no path, query or fragment allowed")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.password, _ = u.User.Password()
		if s.Username == "" {
			return Server{}, errors.New("a password without a user name")
		}
	}
	return s, nil
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, s.Port) }

// String is the URL without its password, for logs.
func (s Server) String() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.Username != "" {
		u.User = url.User(s.Username)
	}
	return u.String()
}

// Mailer sends messages through one SMTP server. It is safe for
// concurrent use: every Send opens its own connection.
type Mailer struct {
	srv     Server
	tls     *tls.Config
	timeout time.Duration
}

// Options tune a Mailer; the zero value is the default.
type Options struct {
	// TLS is the client TLS configuration (for tests: a test CA); its
	// ServerName is set to the server's host when empty.
	TLS     *tls.Config
	Timeout time.Duration // default DefaultTimeout
}

// New returns a Mailer for srv.
func New(srv Server, o Options) *Mailer {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLS != nil {
		cfg = o.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = srv.Host
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return &Mailer{srv: srv, tls: cfg, timeout: o.Timeout}
}

// Server is the server the Mailer sends through.
func (m *Mailer) Server() Server { return m.srv }

// Send submits msg (a complete RFC 5322 message, CRLF line ends) from
// from to every address in to. With smtp:// the connection is upgraded
// with STARTTLS when the server offers it; credentials are sent only over
// TLS (or to localhost).
func (m *Mailer) Send(ctx context.Context, from string, to []string, msg []byte) (err error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.srv.Addr())
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.srv.Addr(), err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// A cancelled ctx ends a stalled exchange at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if m.srv.ImplicitTLS {
		conn = tls.Client(conn, m.tls)
	}
	c, err := smtp.NewClient(conn, m.srv.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: greeting: %w", m.srv.Addr(), err)
	}
	defer c.Close()
	if err := m.session(c, from, to, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", m.srv.Addr(), err)
	}
	return nil
}

// session runs one submission on an open client.
func (m *Mailer) session(c *smtp.Client, from string, to []string, msg []byte) error {
	if !m.srv.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tls); err != nil {
				return fmt.Errorf("starttls: %w", err)
			}
		}
	}
	if m.srv.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the server offers no AUTH, but --smtp-url has a user name")
		}
		if err := c.Auth(smtp.PlainAuth("", m.srv.Username, m.srv.password, m.srv.Host)); err != nil {
			return fmt.Errorf("auth as %q: %w", m.srv.Username, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return fmt.Errorf("rcpt to %s: %w", rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	// The message is accepted: a failed QUIT must not send it again.
	_ = c.Quit()
	return nil
}
