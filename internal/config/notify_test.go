package config

import (
	"strings"
	"testing"
)

func TestLoadServeSMTP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		want     string // the server without its password; "" = none
		wantFrom string
		wantErr  []string
	}{
		{name: "off by default"},
		{name: "env", env: map[string]string{"PROVISIO_SMTP_URL": "smtp://ops:s3cret@mail.example.com:587", "PROVISIO_SMTP_FROM": "provisio@example.com"},
			want: "smtp://ops@mail.example.com:587", wantFrom: "provisio@example.com"},
		{name: "flags", args: []string{"--smtp-url", "smtps://mail.example.com", "--smtp-from", "p@example.com"},
			want: "smtps://mail.example.com:465", wantFrom: "p@example.com"},
		{name: "from without url logs only", args: []string{"--smtp-from", "p@example.com"}, wantFrom: "p@example.com"},
		{name: "url without from", env: map[string]string{"PROVISIO_SMTP_URL": "smtp://mail.example.com"}, wantErr: []string{"--smtp-from: required"}},
		{name: "every problem at once", args: []string{"--smtp-url", "imap://ops:s3cret@mail.example.com", "--smtp-from", "not an address", "--max-conns", "0"},
			wantErr: []string{"--smtp-url: scheme", "--smtp-from: \"not an address\"", "--max-conns"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadServe(flagSet(t, ServeOptions(), tc.args...), envFrom(tc.env))
			if tc.wantErr != nil {
				for _, w := range tc.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("LoadServe(%v) error = %v, want one containing %q", tc.args, err, w)
					}
				}
				if err != nil && strings.Contains(err.Error(), "s3cret") {
					t.Errorf("LoadServe(%v) error = %v, shows the SMTP password", tc.args, err)
				}
				return
			}
			var srv string
			if got.SMTP != nil {
				srv = got.SMTP.String()
			}
			if err != nil || srv != tc.want || got.SMTPFrom != tc.wantFrom {
				t.Errorf("LoadServe(%v) = smtp %q from %q, %v; want %q from %q", tc.args, srv, got.SMTPFrom, err, tc.want, tc.wantFrom)
			}
		})
	}
}
