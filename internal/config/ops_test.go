package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadServeHTTPLimits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		read    time.Duration
		idle    time.Duration
		conns   int
		wantErr string
	}{
		{name: "defaults", read: 2 * time.Minute, idle: 2 * time.Minute, conns: 1024},
		{name: "env", env: map[string]string{"PROVISIO_READ_TIMEOUT": "30s", "PROVISIO_IDLE_TIMEOUT": "1m", "PROVISIO_MAX_CONNS": "64"},
			read: 30 * time.Second, idle: time.Minute, conns: 64},
		{name: "flags win", args: []string{"--read-timeout", "5m", "--max-conns", "10"}, env: map[string]string{"PROVISIO_READ_TIMEOUT": "30s"},
			read: 5 * time.Minute, idle: 2 * time.Minute, conns: 10},
		{name: "zero timeout", args: []string{"--read-timeout", "0"}, wantErr: "--read-timeout"},
		{name: "no unit", args: []string{"--idle-timeout", "60"}, wantErr: "--idle-timeout"},
		{name: "no connections", args: []string{"--max-conns", "0"}, wantErr: "--max-conns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadServe(flagSet(t, ServeOptions(), tc.args...), envFrom(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("LoadServe(%v) error = %v, want one naming %s", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil || got.ReadTimeout != tc.read || got.IdleTimeout != tc.idle || got.MaxConns != tc.conns {
				t.Errorf("LoadServe(%v) = read %v, idle %v, conns %d, %v; want %v, %v, %d", tc.args, got.ReadTimeout, got.IdleTimeout, got.MaxConns, err, tc.read, tc.idle, tc.conns)
			}
		})
	}
}

func TestLoadServeOutboundAllow(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    string // the policy's canonical form; "" = no restriction
		wantErr bool
	}{
		{name: "off by default", want: ""},
		{name: "env", env: map[string]string{"PROVISIO_OUTBOUND_ALLOW": "10.0.0.0/8, scim.example.com"}, want: "10.0.0.0/8,scim.example.com"},
		{name: "flag wins", args: []string{"--outbound-allow", "*.example.com"}, env: map[string]string{"PROVISIO_OUTBOUND_ALLOW": "10.0.0.0/8"}, want: "*.example.com"},
		{name: "bad entry", args: []string{"--outbound-allow", "https://scim.example.com"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadServe(flagSet(t, ServeOptions(), tc.args...), envFrom(tc.env))
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "--outbound-allow") {
					t.Errorf("LoadServe(%v) error = %v, want one naming --outbound-allow", tc.args, err)
				}
				return
			}
			if err != nil || got.Outbound.String() != tc.want || (tc.want == "") != (got.Outbound == nil) {
				t.Errorf("LoadServe(%v) = outbound %q, %v; want %q", tc.args, got.Outbound.String(), err, tc.want)
			}
		})
	}
}
