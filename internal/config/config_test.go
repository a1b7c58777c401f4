package config

import (
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func flagSet(t *testing.T, opts []Option, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	Register(fs, opts)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return fs
}

func TestLoadServe(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want Serve
	}{
		{
			name: "defaults",
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text"},
		},
		{
			name: "env overrides defaults",
			env: map[string]string{
				"PROVISIO_ADDR": "0.0.0.0:9000", "PROVISIO_DATA_DIR": "/var/lib/provisio",
				"PROVISIO_DB": "postgres://u@db/provisio", "PROVISIO_MAX_BODY": "2MiB",
				"PROVISIO_LOG_LEVEL": "debug", "PROVISIO_LOG_FORMAT": "JSON",
				"PROVISIO_PUBLIC_URL": "https://scim.example.com/",
			},
			want: Serve{Addr: "0.0.0.0:9000", DataDir: "/var/lib/provisio", DB: "postgres://u@db/provisio", MaxBody: 2 << 20,
				LogLevel: slog.LevelDebug, LogFormat: "json", PublicURL: "https://scim.example.com"},
		},
		{
			name: "flags override env",
			args: []string{"--addr", "127.0.0.1:0", "--max-body", "4096", "--log-level", "warn"},
			env:  map[string]string{"PROVISIO_ADDR": "0.0.0.0:9000", "PROVISIO_MAX_BODY": "2MiB"},
			want: Serve{Addr: "127.0.0.1:0", DataDir: "./provisio-data", MaxBody: 4096, LogLevel: slog.LevelWarn, LogFormat: "text"},
		},
		{
			name: "demo from env",
			env:  map[string]string{"PROVISIO_DEMO": "1"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text", Demo: true},
		},
		{
			name: "demo switch",
			args: []string{"--demo"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text", Demo: true},
		},
		{
			name: "demo flag false wins over env",
			args: []string{"--demo=false"},
			env:  map[string]string{"PROVISIO_DEMO": "true"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text"},
		},
		{
			name: "metrics tenant label switch",
			args: []string{"--metrics-tenant-label"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text", MetricsTenantLabel: true},
		},
		{
			name: "metrics tenant label from env",
			env:  map[string]string{"PROVISIO_METRICS_TENANT_LABEL": "true"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text", MetricsTenantLabel: true},
		},
		{
			name: "max concurrent cycles from env",
			env:  map[string]string{"PROVISIO_MAX_CONCURRENT_CYCLES": "32"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text", MaxConcurrentCycles: 32},
		},
		{
			name: "max concurrent cycles flag wins over env",
			args: []string{"--max-concurrent-cycles", "1"},
			env:  map[string]string{"PROVISIO_MAX_CONCURRENT_CYCLES": "32"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text", MaxConcurrentCycles: 1},
		},
		{
			name: "job lease from env",
			env:  map[string]string{"PROVISIO_JOB_LEASE": "10s"},
			want: Serve{Addr: "127.0.0.1:8080", DataDir: "./provisio-data", MaxBody: 1 << 20, LogLevel: slog.LevelInfo, LogFormat: "text", JobLease: 10 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want.MaxConcurrentCycles == 0 {
				tt.want.MaxConcurrentCycles = 8 // the default, unless the case sets it
			}
			if tt.want.JobLease == 0 {
				tt.want.JobLease = DefaultJobLease
			}
			tt.want.LogRetention = 30 * 24 * time.Hour     // TestLoadServeLogRetention
			tt.want.SSOSessionTTL = 8 * time.Hour          // TestLoadServeSSOSessionTTL
			tt.want.ChangeDebounce = DefaultChangeDebounce // TestLoadServeChangeDebounce
			got, err := LoadServe(flagSet(t, ServeOptions(), tt.args...), envFrom(tt.env))
			if err != nil {
				t.Fatalf("LoadServe() error = %v", err)
			}
			if tt.want.ReadTimeout == 0 { // the HTTP limits' defaults (TestLoadServeHTTPLimits)
				tt.want.ReadTimeout, tt.want.IdleTimeout, tt.want.MaxConns = DefaultReadTimeout, DefaultIdleTimeout, DefaultMaxConns
			}
			if got != tt.want {
				t.Errorf("LoadServe() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadServeReportsEveryProblem(t *testing.T) {
	fs := flagSet(t, ServeOptions(),
		"--addr", "nonsense", "--data-dir", " ", "--db", "mysql://secret@x", "--max-body", "0",
		"--log-level", "loud", "--log-format", "xml", "--public-url", "ftp://x")
	_, err := LoadServe(fs, envFrom(nil))
	if err == nil {
		t.Fatal("LoadServe(bad flags) error = nil, want every problem")
	}
	msg := err.Error()
	for _, flag := range []string{"--addr", "--data-dir", "--db", "--max-body", "--log-level", "--log-format", "--public-url"} {
		if !strings.Contains(msg, flag) {
			t.Errorf("LoadServe(bad flags) error does not mention %s:\n%s", flag, msg)
		}
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("LoadServe(bad --db) error leaks the DSN: %s", msg)
	}
}

func TestLoadServeBadMaxConcurrentCycles(t *testing.T) {
	for _, bad := range []string{"0", "-1", "257", "many", "1.5"} {
		_, err := LoadServe(flagSet(t, ServeOptions()), envFrom(map[string]string{"PROVISIO_MAX_CONCURRENT_CYCLES": bad}))
		if err == nil || !strings.Contains(err.Error(), "--max-concurrent-cycles") {
			t.Errorf("LoadServe(PROVISIO_MAX_CONCURRENT_CYCLES=%s) error = %v, want one naming --max-concurrent-cycles", bad, err)
		}
	}
}

func TestLoadServeBadBoolEnv(t *testing.T) {
	for env, flag := range map[string]string{"PROVISIO_DEMO": "--demo", "PROVISIO_METRICS_TENANT_LABEL": "--metrics-tenant-label"} {
		_, err := LoadServe(flagSet(t, ServeOptions()), envFrom(map[string]string{env: "maybe"}))
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("LoadServe(%s=maybe) error = %v, want one naming %s", env, err, flag)
		}
	}
}

func TestServeDSNAndPaths(t *testing.T) {
	c := Serve{DataDir: "data"}
	if got, want := c.DSN(), filepath.Join("data", "provisio.db"); got != want {
		t.Errorf("DSN() = %q, want %q", got, want)
	}
	if got, want := c.AdminTokenPath(), filepath.Join("data", "admin.token"); got != want {
		t.Errorf("AdminTokenPath() = %q, want %q", got, want)
	}
	c.DB = "postgres://x/y"
	if got := c.DSN(); got != "postgres://x/y" {
		t.Errorf("DSN() with --db = %q, want the URL", got)
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name   string
		public string
		bound  string
		want   string
	}{
		{"public url wins", "https://scim.example.com", "127.0.0.1:8080", "https://scim.example.com"},
		{"bound address", "", "127.0.0.1:43210", "http://127.0.0.1:43210"},
		{"unspecified ipv4", "", "0.0.0.0:8080", "http://localhost:8080"},
		{"unspecified ipv6", "", "[::]:8080", "http://localhost:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, err := net.ResolveTCPAddr("tcp", tt.bound)
			if err != nil {
				t.Fatal(err)
			}
			if got := (Serve{PublicURL: tt.public}).BaseURL(addr); got != tt.want {
				t.Errorf("BaseURL(%s) = %q, want %q", tt.bound, got, tt.want)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"1048576", 1 << 20, false},
		{"1MiB", 1 << 20, false},
		{"512kib", 512 << 10, false},
		{"2M", 2 << 20, false},
		{"1GB", 1 << 30, false},
		{"100B", 100, false},
		{" 3 KiB ", 3 << 10, false},
		{"0", 0, true},
		{"-1", 0, true},
		{"2GiB", 0, true},
		{"lots", 0, true},
		{"", 0, true},
		{"9223372036854775807G", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestLoadClient(t *testing.T) {
	files := map[string]string{filepath.Join("d", "admin.token"): "pva_fromfile\n"}
	readFile := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantServer string
		wantToken  string
		wantErr    bool
	}{
		{"env token", nil, map[string]string{"PROVISIO_ADMIN_TOKEN": "pva_env"}, "http://127.0.0.1:8080", "pva_env", false},
		{"file fallback via flag", []string{"--data-dir", "d", "--server", "http://h:1/"}, nil, "http://h:1", "pva_fromfile", false},
		{"file fallback via env", nil, map[string]string{"PROVISIO_DATA_DIR": "d", "PROVISIO_SERVER": "https://p"}, "https://p", "pva_fromfile", false},
		{"no token anywhere", []string{"--data-dir", "missing"}, nil, "", "", true},
		{"bad server", []string{"--server", "nope"}, map[string]string{"PROVISIO_ADMIN_TOKEN": "x"}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadClient(flagSet(t, ClientOptions(), tt.args...), envFrom(tt.env), readFile)
			if (err != nil) != tt.wantErr {
				t.Fatalf("LoadClient() error = %v, want error %v", err, tt.wantErr)
			}
			if got.Server != tt.wantServer || got.Token != tt.wantToken {
				t.Errorf("LoadClient() = server %q token %q, want %q %q", got.Server, got.Token, tt.wantServer, tt.wantToken)
			}
		})
	}
}

func TestLoadClientMissingTokenIsActionable(t *testing.T) {
	_, err := LoadClient(flagSet(t, ClientOptions(), "--data-dir", "nowhere"), envFrom(nil),
		func(string) ([]byte, error) { return nil, fs.ErrNotExist })
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), AdminTokenEnv) {
		t.Errorf("LoadClient(no token) error = %v, want it to wrap fs.ErrNotExist and name %s", err, AdminTokenEnv)
	}
}

// TestREADMEListsEveryOption keeps the README's configuration table and
// CLI notes in step with the options.
func TestREADMEListsEveryOption(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatalf("read README.md: %v", err)
	}
	readme := string(b)
	for _, o := range append(ServeOptions(), ClientOptions()...) {
		for _, want := range []string{"`--" + o.Flag + "`", "`" + o.Env + "`"} {
			if !strings.Contains(readme, want) {
				t.Errorf("README.md does not mention %s", want)
			}
		}
	}
	if !strings.Contains(readme, "`"+AdminTokenEnv+"`") {
		t.Errorf("README.md does not mention %s", AdminTokenEnv)
	}
}

func TestLoadServeLogRetention(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
	}{
		{"default: Entra's 30 days", nil, nil, 30 * 24 * time.Hour},
		{"env", nil, map[string]string{"PROVISIO_LOG_RETENTION": "7d"}, 7 * 24 * time.Hour},
		{"flag wins over env", []string{"--log-retention", "2160h"}, map[string]string{"PROVISIO_LOG_RETENTION": "7d"}, 2160 * time.Hour},
		{"0 keeps for ever", []string{"--log-retention", "0"}, nil, 0},
	}
	for _, tt := range tests {
		got, err := LoadServe(flagSet(t, ServeOptions(), tt.args...), envFrom(tt.env))
		if err != nil || got.LogRetention != tt.want {
			t.Errorf("%s: LoadServe().LogRetention = %v, %v, want %v", tt.name, got.LogRetention, err, tt.want)
		}
	}
	for _, bad := range []string{"soon", "-1d", "30m"} {
		if _, err := LoadServe(flagSet(t, ServeOptions(), "--log-retention", bad), envFrom(nil)); err == nil || !strings.Contains(err.Error(), "--log-retention") {
			t.Errorf("LoadServe(--log-retention %q) = %v, want an error naming the flag", bad, err)
		}
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "7d": 7 * 24 * time.Hour, "24h": 24 * time.Hour, " 90m ": 90 * time.Minute} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "-1h", "1.5d", "d", "-2d"} {
		if _, err := ParseAge(bad); err == nil {
			t.Errorf("ParseAge(%q) = nil error, want one", bad)
		}
	}
}

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "0": 0, "90d": 90 * 24 * time.Hour, "2160h": 2160 * time.Hour, " 1h ": time.Hour} {
		if got, err := ParseRetention(in); err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "-1h", "30m", "1.5d", "d"} {
		if _, err := ParseRetention(bad); err == nil {
			t.Errorf("ParseRetention(%q) = nil error, want one", bad)
		}
	}
}

// TestLoadServeJobLease: --job-lease below a second, or not a duration, is
// refused.
func TestLoadServeJobLease(t *testing.T) {
	for _, v := range []string{"500ms", "soon", "0"} {
		if _, err := LoadServe(flagSet(t, ServeOptions(), "--job-lease", v), envFrom(nil)); err == nil || !strings.Contains(err.Error(), "--job-lease") {
			t.Errorf("--job-lease %s: err = %v, want it refused", v, err)
		}
	}
}

// TestLoadServeChangeDebounce: --change-debounce and its variable take a
// duration, 0 turns the trigger off, and a negative or malformed value is
// refused.
func TestLoadServeChangeDebounce(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want time.Duration
		bad  bool
	}{
		{want: DefaultChangeDebounce},
		{args: []string{"--change-debounce", "2s"}, want: 2 * time.Second},
		{env: map[string]string{"PROVISIO_CHANGE_DEBOUNCE": "0"}, want: 0},
		{args: []string{"--change-debounce", "-1s"}, bad: true},
		{args: []string{"--change-debounce", "soon"}, bad: true},
	} {
		got, err := LoadServe(flagSet(t, ServeOptions(), tt.args...), envFrom(tt.env))
		if tt.bad {
			if err == nil || !strings.Contains(err.Error(), "--change-debounce") {
				t.Errorf("LoadServe(%v) error = %v, want a --change-debounce error", tt.args, err)
			}
			continue
		}
		if err != nil || got.ChangeDebounce != tt.want {
			t.Errorf("LoadServe(%v, %v) = %v, %v; want %v", tt.args, tt.env, got.ChangeDebounce, err, tt.want)
		}
	}
}
