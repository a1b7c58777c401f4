package mailer_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/notify/mailer"
	"github.com/provisio-dev/provisio/internal/notify/smtptest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // Server.String(); "" for an error
		implicit bool
		errHas   string
	}{
		{name: "plain with port", in: "smtp://mail.example.com:587", want: "smtp://mail.example.com:587"},
		{name: "default port", in: "smtp://mail.example.com", want: "smtp://mail.example.com:25"},
		{name: "smtps default port", in: "smtps://mail.example.com", want: "smtps://mail.example.com:465", implicit: true},
		{name: "credentials hidden", in: "smtp://ops:s3cret@mail.example.com:587", want: "smtp://ops@mail.example.com:587"},
		{name: "ipv6", in: "smtp://[::1]:2525", want: "smtp://[::1]:2525"},
		{name: "wrong scheme", in: "https://mail.example.com", errHas: "want smtp or smtps"},
		{name: "no host", in: "smtp://:25", errHas: "no host"},
		{name: "bad port", in: "smtp://mail.example.com:99999", errHas: "port"},
		{name: "path", in: "smtp://mail.example.com/x", errHas: "no path"},
		{name: "password without user", in: "smtp://:s3cret@mail.example.com", errHas: "without a user"},
		{name: "not a url", in: "smtp://ops:s3cret@mail example.com:%zz", errHas: "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := mailer.Parse(tt.in)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("Parse(%q) error = %v, want one containing %q", tt.in, err, tt.errHas)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("Parse(%q) error = %v, shows the password", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := s.String(); got != tt.want || s.ImplicitTLS != tt.implicit {
				t.Errorf("Parse(%q) = %s (implicit TLS %v), want %s (%v)", tt.in, got, s.ImplicitTLS, tt.want, tt.implicit)
			}
		})
	}
}

func TestSend(t *testing.T) {
	const msg = "Subject: hello\r\n\r\nbody line\r\n"
	tests := []struct {
		name     string
		opts     smtptest.Options
		url      func(addr string) string
		wantTLS  bool
		wantUser string
	}{
		{name: "plain", url: func(a string) string { return "smtp://" + a }},
		{name: "starttls when offered", opts: smtptest.Options{StartTLS: true},
			url: func(a string) string { return "smtp://" + a }, wantTLS: true},
		{name: "starttls and auth", opts: smtptest.Options{StartTLS: true, User: "ops", Pass: "pw"},
			url: func(a string) string { return "smtp://ops:pw@" + a }, wantTLS: true, wantUser: "ops"},
		{name: "implicit tls and auth", opts: smtptest.Options{ImplicitTLS: true, User: "ops", Pass: "pw"},
			url: func(a string) string { return "smtps://ops:pw@" + a }, wantTLS: true, wantUser: "ops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t, tt.opts)
			s, err := mailer.Parse(tt.url(srv.Addr))
			if err != nil {
				t.Fatal(err)
			}
			m := mailer.New(s, mailer.Options{TLS: &tls.Config{RootCAs: srv.RootCAs}})
			if err := m.Send(context.Background(), "provisio@example.com", []string{"ops@example.com"}, []byte(msg)); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			g := got[0]
			if g.From != "provisio@example.com" || len(g.To) != 1 || g.To[0] != "ops@example.com" ||
				!strings.Contains(string(g.Data), "body line") || g.TLS != tt.wantTLS || g.AuthUser != tt.wantUser {
				t.Errorf("received from %q to %q tls %v user %q data %q; want from provisio@example.com to ops@example.com tls %v user %q with the body",
					g.From, g.To, g.TLS, g.AuthUser, g.Data, tt.wantTLS, tt.wantUser)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{StartTLS: true, User: "ops", Pass: "pw"})
		s, _ := mailer.Parse("smtp://ops:wrong-s3cret@" + srv.Addr)
		err := mailer.New(s, mailer.Options{TLS: &tls.Config{RootCAs: srv.RootCAs}}).
			Send(context.Background(), "a@example.com", []string{"b@example.com"}, []byte("\r\n"))
		if err == nil || strings.Contains(err.Error(), "wrong-s3cret") {
			t.Errorf("Send with a wrong password = %v, want an error that does not show the password", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{StartTLS: true})
		s, _ := mailer.Parse("smtp://" + srv.Addr)
		err := mailer.New(s, mailer.Options{}).Send(context.Background(), "a@example.com", []string{"b@example.com"}, []byte("\r\n"))
		if err == nil || !strings.Contains(err.Error(), "starttls") {
			t.Errorf("Send to an untrusted certificate = %v, want a starttls error", err)
		}
	})
	t.Run("refused message", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{})
		srv.FailNext(1)
		s, _ := mailer.Parse("smtp://" + srv.Addr)
		err := mailer.New(s, mailer.Options{}).Send(context.Background(), "a@example.com", []string{"b@example.com"}, []byte("\r\n"))
		if err == nil || !strings.Contains(err.Error(), "451") {
			t.Errorf("Send refused by the server = %v, want the 451", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		s, _ := mailer.Parse("smtp://10.255.255.1:25") // not routed
		start := time.Now()
		err := mailer.New(s, mailer.Options{Timeout: 200 * time.Millisecond}).
			Send(context.Background(), "a@example.com", []string{"b@example.com"}, []byte("\r\n"))
		if err == nil || time.Since(start) > 5*time.Second {
			t.Errorf("Send to an unreachable server = %v after %s, want an error within the timeout", err, time.Since(start))
		}
	})
}
