// Package config owns Provisio's settings: the command-line flags of
// `provisio serve` and of the admin CLI, their PROVISIO_* environment
// equivalents, defaults, and validation.
//
// Precedence is flag > environment > default. Validation looks at every
// setting and reports every problem at once (errors.Join), so an operator
// fixes a broken configuration in one round.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/provisio-dev/provisio/internal/clientip"
	"github.com/provisio-dev/provisio/internal/notify/mailer"
	"github.com/provisio-dev/provisio/internal/outbound"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/scim"
)

// Option is one setting: its flag, its environment variable, its default
// and its help text. [ServeOptions] and [ClientOptions] list them; the
// README's configuration table mirrors these lists.
type Option struct {
	Flag    string
	Env     string
	Default string
	Usage   string
	// Bool makes the flag a switch (`--demo`, `--demo=false`); its
	// variable then takes true/false, 1/0.
	Bool bool
}

// Serve option flags.
const (
	FlagAddr      = "addr"
	FlagDataDir   = "data-dir"
	FlagDB        = "db"
	FlagMaxBody   = "max-body"
	FlagLogLevel  = "log-level"
	FlagLogFormat = "log-format"
	FlagPublicURL = "public-url"
	FlagDemo      = "demo"
	FlagServer    = "server"
	// FlagEventRetention is how long tenants' change-feed events are kept.
	FlagEventRetention = "event-retention"
	// HTTP connection limits (see [Serve.ReadTimeout]).
	FlagReadTimeout = "read-timeout"
	FlagIdleTimeout = "idle-timeout"
	FlagMaxConns    = "max-conns"
	// FlagOutboundAllow restricts the targets of provisioning jobs.
	FlagOutboundAllow = "outbound-allow"
	// FlagLogRetention is how long provisioning log entries are kept.
	FlagLogRetention = "log-retention"
	// FlagMaxConcurrentCycles is how many provisioning cycles a server
	// runs at once.
	FlagMaxConcurrentCycles = "max-concurrent-cycles"
	// FlagChangeDebounce is how long a directory change waits for more
	// before it triggers the provisioning cycles of the jobs.
	FlagChangeDebounce = "change-debounce"
	// FlagSMTPURL and FlagSMTPFrom say how notification emails are sent.
	FlagSMTPURL  = "smtp-url"
	FlagSMTPFrom = "smtp-from"
	// FlagMetricsTenantLabel adds the SCIM tenant as a label of /metrics.
	FlagMetricsTenantLabel = "metrics-tenant-label"
	// FlagSSOSessionTTL is how long the OpenID provider's sign-in session
	// lasts.
	FlagSSOSessionTTL = "sso-session-ttl"
	// FlagTrustedProxies lists the reverse proxies whose X-Forwarded-For
	// gives the client address (sign-in throttling).
	FlagTrustedProxies = "trusted-proxies"
	// FlagJobLease is how long a provisioning job's cycle lease lasts
	// unrenewed on PostgreSQL: how soon another server takes over the job
	// of one that died.
	FlagJobLease = "job-lease"
)

// DefaultJobLease is the default --job-lease; MinJobLease the shortest.
const (
	DefaultJobLease = 30 * time.Second
	MinJobLease     = time.Second
)

// Defaults of the HTTP connection limits.
const (
	DefaultReadTimeout = 2 * time.Minute
	DefaultIdleTimeout = 2 * time.Minute
	DefaultMaxConns    = 1024
)

// DefaultChangeDebounce is the default --change-debounce.
const DefaultChangeDebounce = 500 * time.Millisecond

// MaxConcurrentCyclesLimit is the largest --max-concurrent-cycles: on
// PostgreSQL every running cycle holds a database connection for its job's
// lease, renewed by a write every third of --job-lease.
const MaxConcurrentCyclesLimit = 256

// DBFileName is the SQLite database file inside the data directory.
const DBFileName = "provisio.db"

// AdminTokenFileName is the file inside the data directory that holds the
// admin token written on first start.
const AdminTokenFileName = "admin.token"

var dataDirOption = Option{Flag: FlagDataDir, Env: "PROVISIO_DATA_DIR", Default: "./provisio-data",
	Usage: "directory holding the SQLite database (" + DBFileName + ") and " + AdminTokenFileName}

var dbOption = Option{Flag: FlagDB, Env: "PROVISIO_DB", Default: "", Usage: "postgres:// URL of a PostgreSQL database to use instead of SQLite"}

// ServeOptions lists the settings of `provisio serve`.
func ServeOptions() []Option {
	return []Option{
		{Flag: FlagAddr, Env: "PROVISIO_ADDR", Default: "127.0.0.1:8080", Usage: "listen address (host:port)"},
		dataDirOption,
		dbOption,
		{Flag: FlagMaxBody, Env: "PROVISIO_MAX_BODY", Default: "1MiB", Usage: "largest accepted request body (bytes, or with KiB/MiB/GiB suffix)"},
		{Flag: FlagLogLevel, Env: "PROVISIO_LOG_LEVEL", Default: "info", Usage: "log level: debug, info, warn or error"},
		{Flag: FlagLogFormat, Env: "PROVISIO_LOG_FORMAT", Default: "text", Usage: "log format: text or json"},
		{Flag: FlagPublicURL, Env: "PROVISIO_PUBLIC_URL", Default: "", Usage: "external base URL used in Tenant URLs and meta.location (default http://ADDR)"},
		{Flag: FlagEventRetention, Env: "PROVISIO_EVENT_RETENTION", Default: "0",
			Usage: "how long the tenants' change feeds keep an event (e.g. 90d, 2160h); 0 keeps them for ever"},
		{Flag: FlagLogRetention, Env: "PROVISIO_LOG_RETENTION", Default: "30d",
			Usage: "how long provisioning log entries are kept (e.g. 30d, 720h; Entra keeps 30 days); older ones are deleted hourly; 0 keeps them for ever"},
		{Flag: FlagReadTimeout, Env: "PROVISIO_READ_TIMEOUT", Default: DefaultReadTimeout.String(),
			Usage: "longest time to read a request, headers and body (a slower client is disconnected)"},
		{Flag: FlagIdleTimeout, Env: "PROVISIO_IDLE_TIMEOUT", Default: DefaultIdleTimeout.String(),
			Usage: "how long an idle keep-alive connection is kept open"},
		{Flag: FlagMaxConns, Env: "PROVISIO_MAX_CONNS", Default: strconv.Itoa(DefaultMaxConns),
			Usage: "most client connections open at once; further ones wait until one closes"},
		{Flag: FlagOutboundAllow, Env: "PROVISIO_OUTBOUND_ALLOW", Default: "",
			Usage: "comma-separated address prefixes (10.0.0.0/8), addresses and host names (scim.example.com, *.example.com) that provisioning jobs may connect to; empty allows every target"},
		{Flag: FlagMaxConcurrentCycles, Env: "PROVISIO_MAX_CONCURRENT_CYCLES", Default: "8",
			Usage: "provisioning cycles this server runs at once, of all jobs; due jobs beyond it wait their turn"},
		{Flag: FlagChangeDebounce, Env: "PROVISIO_CHANGE_DEBOUNCE", Default: DefaultChangeDebounce.String(),
			Usage: "how long after a directory change (with no further change) the enabled jobs run an incremental cycle, besides their interval; 0 turns this off"},
		{Flag: FlagSMTPURL, Env: "PROVISIO_SMTP_URL", Default: "",
			Usage: "SMTP server for notification emails: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps:// (implicit TLS); put a password in the environment variable, not on the command line; empty logs notifications instead"},
		{Flag: FlagSMTPFrom, Env: "PROVISIO_SMTP_FROM", Default: "", Usage: "sender address of notification emails (required with --smtp-url)"},
		{Flag: FlagMetricsTenantLabel, Env: "PROVISIO_METRICS_TENANT_LABEL", Default: "false", Bool: true,
			Usage: "label the SCIM request metrics of /metrics with the tenant (one series set per tenant)"},
		{Flag: FlagSSOSessionTTL, Env: "PROVISIO_SSO_SESSION_TTL", Default: "8h",
			Usage: "how long a sign-in at the OpenID provider lets the next sign-in skip the password page (absolute, from the password check)"},
		{Flag: FlagTrustedProxies, Env: "PROVISIO_TRUSTED_PROXIES", Default: "",
			Usage: "reverse proxies (CIDR ranges or addresses, comma-separated) whose X-Forwarded-For gives the client address: the right-most address not in these ranges; empty trusts none (the TCP peer is the client)"},
		{Flag: FlagJobLease, Env: "PROVISIO_JOB_LEASE", Default: DefaultJobLease.String(),
			Usage: "PostgreSQL: how long a provisioning cycle's job lease lasts unrenewed, i.e. how soon another server takes over the job of one that died (at least 1s)"},
		{Flag: FlagDemo, Env: "PROVISIO_DEMO", Default: "false", Bool: true,
			Usage: "seed an empty directory with demo users, groups and an app provisioning into a local SCIM tenant, and print what to try"},
	}
}

// ClientOptions lists the settings of the admin CLI commands. The admin
// token has no flag on purpose: secrets stay out of shell history. It comes
// from PROVISIO_ADMIN_TOKEN or, failing that, from <data-dir>/admin.token.
func ClientOptions() []Option {
	return []Option{
		{Flag: FlagServer, Env: "PROVISIO_SERVER", Default: "http://127.0.0.1:8080", Usage: "base URL of the Provisio server"},
		dataDirOption,
	}
}

// AdminTokenEnv names the environment variable holding the admin token.
const AdminTokenEnv = "PROVISIO_ADMIN_TOKEN"

// Register defines opts as flags on fs: string flags, or boolean ones
// for options marked Bool.
func Register(fs *pflag.FlagSet, opts []Option) {
	for _, o := range opts {
		usage := fmt.Sprintf("%s [$%s]", o.Usage, o.Env)
		if o.Bool {
			fs.Bool(o.Flag, o.Default == "true", usage)
			continue
		}
		fs.String(o.Flag, o.Default, usage)
	}
}

// resolve returns the value of o: the flag if set on the command line,
// else the environment variable if non-empty, else the default.
func resolve(fs *pflag.FlagSet, getenv func(string) string, o Option) string {
	if f := fs.Lookup(o.Flag); f != nil && f.Changed {
		return f.Value.String()
	}
	if v := getenv(o.Env); v != "" {
		return v
	}
	return o.Default
}

// values resolves every option in opts, keyed by flag name.
func values(fs *pflag.FlagSet, getenv func(string) string, opts []Option) map[string]string {
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		m[o.Flag] = resolve(fs, getenv, o)
	}
	return m
}

// Serve is the validated configuration of `provisio serve`.
type Serve struct {
	Addr      string
	DataDir   string
	DB        string // postgres:// URL, or "" for SQLite in DataDir
	MaxBody   int64
	LogLevel  slog.Level
	LogFormat string // "text" or "json"
	PublicURL string // without trailing slash; "" = derived from the bound address
	// Demo seeds an empty directory with a demo (see internal/demo).
	Demo bool
	// EventRetention is how long tenants' change-feed events are kept; 0
	// keeps them for ever.
	EventRetention time.Duration
	// LogRetention is how long provisioning log entries are kept; 0 keeps
	// them for ever.
	LogRetention time.Duration
	// ReadTimeout bounds reading one request, headers and body, so that a
	// client sending a body byte by byte cannot hold a connection;
	// IdleTimeout closes idle keep-alive connections; MaxConns caps the
	// open client connections. Zero means the default.
	ReadTimeout time.Duration
	IdleTimeout time.Duration
	MaxConns    int
	// SSOSessionTTL is how long the OpenID provider's sign-in session
	// lasts; zero means oidc.DefaultSessionTTL.
	SSOSessionTTL time.Duration
	// TrustedProxies is --trusted-proxies, validated and normalised
	// (clientip.Parse reads it); "" trusts none.
	TrustedProxies string
	// ChangeDebounce is how long a directory change waits for more before
	// it triggers the jobs' cycles; 0: only their interval does.
	ChangeDebounce time.Duration
	// Outbound restricts the targets provisioning jobs connect to (Test
	// Connection and cycles); nil allows every target.
	Outbound *outbound.Policy
	// MaxConcurrentCycles is how many provisioning cycles run at once.
	MaxConcurrentCycles int
	// SecretKey is $PROVISIO_SECRET_KEY (base64, 32 bytes), the key that
	// encrypts provisioning jobs' Secret Tokens; "" means the key file in
	// DataDir. It has no flag: secrets stay out of shell history.
	SecretKey string
	// SMTP is the server notification emails are sent through (nil: none,
	// notifications are logged); SMTPFrom their sender address.
	SMTP     *mailer.Server
	SMTPFrom string
	// MetricsTenantLabel labels the SCIM request metrics with the tenant.
	MetricsTenantLabel bool
	// JobLease is how long a job's cycle lease lasts unrenewed
	// (PostgreSQL; store.JobStore.LockJob). Zero means DefaultJobLease.
	JobLease time.Duration
}

// LoadServe resolves and validates the serve options registered on fs
// with [Register] and [ServeOptions]. The error joins every problem found.
func LoadServe(fs *pflag.FlagSet, getenv func(string) string) (Serve, error) {
	v := values(fs, getenv, ServeOptions())
	var c Serve
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	c.Addr = v[FlagAddr]
	add(checkAddr(c.Addr))
	c.DataDir = v[FlagDataDir]
	if strings.TrimSpace(c.DataDir) == "" {
		add(errors.New("--data-dir: must not be empty"))
	}
	c.DB = v[FlagDB]
	add(checkDB(c.DB))
	var err error
	c.MaxBody, err = ParseSize(v[FlagMaxBody])
	add(wrapFlag(FlagMaxBody, err))
	c.LogLevel, err = parseLevel(v[FlagLogLevel])
	add(wrapFlag(FlagLogLevel, err))
	c.LogFormat = strings.ToLower(v[FlagLogFormat])
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add(fmt.Errorf("--%s: %q is not text or json", FlagLogFormat, v[FlagLogFormat]))
	}
	c.PublicURL, err = checkPublicURL(v[FlagPublicURL])
	add(wrapFlag(FlagPublicURL, err))
	c.Demo, err = scim.ParseBool(v[FlagDemo])
	if err != nil {
		add(fmt.Errorf("--%s: %q is not true or false", FlagDemo, v[FlagDemo]))
	}
	c.MetricsTenantLabel, err = scim.ParseBool(v[FlagMetricsTenantLabel])
	if err != nil {
		add(fmt.Errorf("--%s: %q is not true or false", FlagMetricsTenantLabel, v[FlagMetricsTenantLabel]))
	}
	c.EventRetention, err = ParseRetention(v[FlagEventRetention])
	add(wrapFlag(FlagEventRetention, err))
	c.LogRetention, err = ParseRetention(v[FlagLogRetention])
	add(wrapFlag(FlagLogRetention, err))
	c.ReadTimeout, err = parseTimeout(v[FlagReadTimeout])
	add(wrapFlag(FlagReadTimeout, err))
	c.IdleTimeout, err = parseTimeout(v[FlagIdleTimeout])
	add(wrapFlag(FlagIdleTimeout, err))
	c.SSOSessionTTL, err = parseTimeout(v[FlagSSOSessionTTL])
	add(wrapFlag(FlagSSOSessionTTL, err))
	if p, err := clientip.Parse(v[FlagTrustedProxies]); err != nil {
		add(wrapFlag(FlagTrustedProxies, err))
	} else {
		c.TrustedProxies = p.String()
	}
	if c.MaxConns, err = strconv.Atoi(v[FlagMaxConns]); err != nil || c.MaxConns < 1 {
		add(fmt.Errorf("--%s: %q is not a number of connections of at least 1", FlagMaxConns, v[FlagMaxConns]))
	}
	c.Outbound, err = outbound.Parse(v[FlagOutboundAllow])
	add(wrapFlag(FlagOutboundAllow, err))
	c.MaxConcurrentCycles, err = strconv.Atoi(strings.TrimSpace(v[FlagMaxConcurrentCycles]))
	if err != nil || c.MaxConcurrentCycles < 1 || c.MaxConcurrentCycles > MaxConcurrentCyclesLimit {
		add(fmt.Errorf("--%s: %q is not a whole number from 1 to %d", FlagMaxConcurrentCycles, v[FlagMaxConcurrentCycles], MaxConcurrentCyclesLimit))
	}
	if c.JobLease, err = time.ParseDuration(strings.TrimSpace(v[FlagJobLease])); err != nil || c.JobLease < MinJobLease {
		add(fmt.Errorf("--%s: %q is not a duration of at least %s", FlagJobLease, v[FlagJobLease], MinJobLease))
	}
	if c.ChangeDebounce, err = time.ParseDuration(strings.TrimSpace(v[FlagChangeDebounce])); err != nil || c.ChangeDebounce < 0 {
		add(fmt.Errorf("--%s: %q is not a duration such as 500ms or 2s (0 turns it off)", FlagChangeDebounce, v[FlagChangeDebounce]))
	}
	c.SMTP, c.SMTPFrom, err = loadSMTP(v[FlagSMTPURL], v[FlagSMTPFrom])
	add(err)
	if c.SecretKey = strings.TrimSpace(getenv(secretbox.KeyEnv)); c.SecretKey != "" {
		if _, err := secretbox.ParseKey(c.SecretKey); err != nil {
			add(fmt.Errorf("$%s: %w", secretbox.KeyEnv, err))
		}
	}
	if len(errs) > 0 {
		return Serve{}, fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// LoadStore resolves the settings that locate the server's state, the
// data directory and the database, for commands that work on them
// directly (`provisio admin-token reset`). fs has the data-dir flag and
// the db flag registered by [Register] with [DBOption].
func LoadStore(fs *pflag.FlagSet, getenv func(string) string) (Serve, error) {
	v := values(fs, getenv, []Option{dataDirOption, dbOption})
	c := Serve{DataDir: v[FlagDataDir], DB: v[FlagDB]}
	var errs []error
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("--data-dir: must not be empty"))
	}
	if err := checkDB(c.DB); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Serve{}, fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// DBOption is the --db setting, for commands that open the database.
func DBOption() Option { return dbOption }

// DSN is what the store opens: the PostgreSQL URL if --db is set,
// otherwise the SQLite file inside the data directory.
func (c Serve) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, DBFileName)
}

// AdminTokenPath is where serve writes the admin token on first start.
func (c Serve) AdminTokenPath() string {
	return filepath.Join(c.DataDir, AdminTokenFileName)
}

// BaseURL is the external base URL: --public-url if set, otherwise
// http://<bound address>, with an unspecified host (":8080", "0.0.0.0")
// shown as localhost.
func (c Serve) BaseURL(bound net.Addr) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	host, port, err := net.SplitHostPort(bound.String())
	if err != nil {
		return "http://" + bound.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func wrapFlag(flag string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("--%s: %w", flag, err)
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--%s: %q is not host:port: %w", FlagAddr, addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--%s: port %q is not a number from 0 to 65535", FlagAddr, port)
	}
	return nil
}

func checkDB(dsn string) error {
	if dsn == "" {
		return nil
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// The DSN may hold a password: never echo it.
		return fmt.Errorf("--%s: must be a postgres:// or postgresql:// URL", FlagDB)
	}
	return nil
}

// loadSMTP validates --smtp-url and --smtp-from. Its errors never show
// the URL, which may hold a password.
func loadSMTP(rawURL, from string) (*mailer.Server, string, error) {
	var errs []error
	var srv *mailer.Server
	if rawURL = strings.TrimSpace(rawURL); rawURL != "" {
		s, err := mailer.Parse(rawURL)
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", FlagSMTPURL, err))
		} else {
			srv = &s
		}
	}
	from = strings.TrimSpace(from)
	switch {
	case from == "" && rawURL != "":
		errs = append(errs, fmt.Errorf("--%s: required with --%s", FlagSMTPFrom, FlagSMTPURL))
	case from != "":
		if a, err := mail.ParseAddress(from); err != nil || a.Address != from {
			errs = append(errs, fmt.Errorf("--%s: %q is not an email address", FlagSMTPFrom, from))
		}
	}
	return srv, from, errors.Join(errs...)
}

func checkPublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a URL: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q must not have a query or fragment", s)
	}
	return strings.TrimRight(s, "/"), nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%q is not debug, info, warn or error", s)
	}
	return l, nil
}

// parseTimeout parses a positive Go duration ("2m", "90s").
func parseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 2m or 90s", s)
	}
	return d, nil
}

// maxSize bounds --max-body: a request body larger than 1 GiB is never
// meant.
const maxSize = 1 << 30

// ParseSize parses a byte count: a plain number ("1048576") or a number
// with a binary suffix ("512KiB", "1MiB", "1GiB"; "K", "M", "G", "KB",
// "MB", "GB" mean the same, case-insensitively). It must be between 1 byte
// and 1 GiB.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffixes []string
		mult     int64
	}{
		{[]string{"KIB", "KB", "K"}, 1 << 10},
		{[]string{"MIB", "MB", "M"}, 1 << 20},
		{[]string{"GIB", "GB", "G"}, 1 << 30},
		{[]string{"B"}, 1},
	} {
		if suffix, ok := hasAnySuffix(t, u.suffixes); ok {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > maxSize/mult {
		return 0, fmt.Errorf("%q is not a size from 1 byte to 1GiB", s)
	}
	return n * mult, nil
}

func hasAnySuffix(s string, suffixes []string) (string, bool) {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return x, true
		}
	}
	return "", false
}

// Client is the validated configuration of the admin CLI.
type Client struct {
	Server string // base URL, without trailing slash
	Token  string // admin bearer token
	// TokenSource says where Token came from, for error messages: the
	// environment variable name or the file path. Never the token.
	TokenSource string
}

// LoadClient resolves the CLI's server URL and admin token: the token
// from PROVISIO_ADMIN_TOKEN, falling back to <data-dir>/admin.token read
// with readFile. The error joins every problem found.
func LoadClient(fs *pflag.FlagSet, getenv func(string) string, readFile func(string) ([]byte, error)) (Client, error) {
	v := values(fs, getenv, ClientOptions())
	var c Client
	var errs []error
	server, err := checkPublicURL(v[FlagServer])
	if err != nil {
		errs = append(errs, wrapFlag(FlagServer, err))
	} else if server == "" {
		errs = append(errs, fmt.Errorf("--%s: must not be empty", FlagServer))
	}
	c.Server = server
	if tok := strings.TrimSpace(getenv(AdminTokenEnv)); tok != "" {
		c.Token, c.TokenSource = tok, "$"+AdminTokenEnv
	} else {
		path := filepath.Join(v[FlagDataDir], AdminTokenFileName)
		b, err := readFile(path)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("admin token: $%s is not set and %s cannot be read (%w); run `provisio serve` once or set $%s", AdminTokenEnv, path, err, AdminTokenEnv))
		case strings.TrimSpace(string(b)) == "":
			errs = append(errs, fmt.Errorf("admin token: %s is empty", path))
		default:
			c.Token, c.TokenSource = strings.TrimSpace(string(b)), path
		}
	}
	if len(errs) > 0 {
		return Client{}, fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// WriteSecretFile writes secret and a newline to path, readable by the
// owner only (mode 0600), replacing any older file atomically: a reader
// sees the old file or the new one, never a part. serve writes the admin
// token with it, and "provisio admin-token rotate" rewrites it.
func WriteSecretFile(path, secret string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ParseRetention parses a retention period: a Go duration ("2160h") or a
// number of days ("90d"); "0" means keep for ever.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	d, err := ParseAge(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a retention period (like 90d or 2160h, or 0 for ever)", s)
	}
	if d > 0 && d < time.Hour {
		return 0, fmt.Errorf("%q is shorter than an hour: entries would be gone before most readers see them", s)
	}
	return d, nil
}

// ParseAge parses a non-negative age: a Go duration ("24h", "90m") or a
// whole number of days ("7d").
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not an age like 7d, 24h or 90m", s)
	}
	return d, nil
}
