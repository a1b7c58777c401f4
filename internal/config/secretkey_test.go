package config

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestLoadServeSecretKey: $PROVISIO_SECRET_KEY is taken as is when it is
// a base64 32-byte key and reported, with the other problems, when not.
func TestLoadServeSecretKey(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		name    string
		key     string
		want    string
		wantErr string
	}{
		{"unset: the key file", "", "", ""},
		{"valid", good, good, ""},
		{"surrounding space", " " + good + "\n", good, ""},
		{"not base64", "not-a-key!", "", "PROVISIO_SECRET_KEY"},
		{"too short", base64.StdEncoding.EncodeToString(make([]byte, 16)), "", "16 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"PROVISIO_SECRET_KEY": tt.key, "PROVISIO_LOG_LEVEL": "loud"}
			if tt.wantErr == "" {
				delete(env, "PROVISIO_LOG_LEVEL")
			}
			got, err := LoadServe(flagSet(t, ServeOptions()), envFrom(env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "--log-level") {
					t.Errorf("LoadServe(key %q) error = %v, want %q reported with the --log-level problem", tt.key, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), tt.key) {
					t.Errorf("LoadServe error %q shows the key", err)
				}
				return
			}
			if err != nil || got.SecretKey != tt.want {
				t.Errorf("LoadServe(key %q).SecretKey = %q, %v; want %q", tt.key, got.SecretKey, err, tt.want)
			}
		})
	}
}
