package config

import (
	"testing"
	"time"
)

func TestLoadServeSSOSessionTTL(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    time.Duration
		wantErr bool
	}{
		{"default", nil, nil, 8 * time.Hour, false},
		{"env", nil, map[string]string{"PROVISIO_SSO_SESSION_TTL": "1h"}, time.Hour, false},
		{"flag over env", []string{"--sso-session-ttl=30m"}, map[string]string{"PROVISIO_SSO_SESSION_TTL": "1h"}, 30 * time.Minute, false},
		{"zero", []string{"--sso-session-ttl=0s"}, nil, 0, true},
		{"junk", []string{"--sso-session-ttl=soon"}, nil, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadServe(flagSet(t, ServeOptions(), tt.args...), envFrom(tt.env))
			if (err != nil) != tt.wantErr || (err == nil && got.SSOSessionTTL != tt.want) {
				t.Errorf("LoadServe(%v) = %v, %v, want %v (error %v)", tt.args, got.SSOSessionTTL, err, tt.want, tt.wantErr)
			}
		})
	}
}
