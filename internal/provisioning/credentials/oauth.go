package credentials

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/provisio-dev/provisio/internal/outbound"
)

// OAuth is a job's OAuth 2.0 client credentials grant (RFC 6749 §4.4),
// all but the client secret, which is kept sealed apart.
type OAuth struct {
	TokenURL string   `json:"tokenUrl"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes,omitempty"`
}

// Validate checks o, every problem at once: the token URL is an absolute
// https URL without credentials or fragment (plain http only to a
// loopback host, as outbound.Cleartext tells: the client secret must not
// travel in clear), the client id is set, and each scope is a scope-token
// (RFC 6749 §3.3).
func (o OAuth) Validate() error {
	var errs []error
	u, err := url.Parse(o.TokenURL)
	switch {
	case o.TokenURL == "":
		errs = append(errs, errors.New("an oauth token url is required"))
	case err != nil:
		errs = append(errs, fmt.Errorf("oauth token url: %w", err))
	case (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		errs = append(errs, fmt.Errorf("oauth token url %q: want an absolute https url", o.TokenURL))
	case outbound.Cleartext(o.TokenURL):
		errs = append(errs, fmt.Errorf("oauth token url %q: plain http to a host that is not loopback would send the client secret in clear; use https", o.TokenURL))
	case u.User != nil:
		errs = append(errs, errors.New("oauth token url must not contain credentials; use the client id and secret"))
	case u.Fragment != "":
		errs = append(errs, fmt.Errorf("oauth token url %q: no fragment allowed", o.TokenURL))
	}
	if strings.TrimSpace(o.ClientID) == "" {
		errs = append(errs, errors.New("an oauth client id is required"))
	}
	for _, sc := range o.Scopes {
		if !scopeToken(sc) {
			errs = append(errs, fmt.Errorf("oauth scope %q: want a scope token (printable ASCII without spaces, quotes or backslashes; RFC 6749 §3.3)", sc))
		}
	}
	return errors.Join(errs...)
}

// scopeToken reports whether s is 1*( %x21 / %x23-5B / %x5D-7E ).
func scopeToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ErrRefused: the token endpoint refused the client credentials (an
// RFC 6749 §5.2 error response, or 401/403 without one). Its message
// names the error code, e.g. "oauth token endpoint refused the client
// credentials: invalid_client".
var ErrRefused = errors.New("oauth token endpoint refused the client credentials")

// FetchTimeout bounds one request to a token endpoint.
const FetchTimeout = 30 * time.Second

// Source is a job's access token: fetched from the token endpoint with
// the client credentials, cached, and fetched again by the oauth2 library
// shortly before it expires (expires_in, RFC 6749 §5.1). It is safe for
// concurrent use; keep one per job across its cycles.
type Source struct {
	ts       oauth2.TokenSource
	tokenURL string

	mu      sync.Mutex
	refused error // the last fetch's refusal; nil after a success
}

// NewSource returns the Source of o with its client secret. control, if
// not nil, checks every address the token endpoint's connections dial
// (outbound.Policy.Control: the same rule as the Tenant URL's).
func NewSource(o OAuth, secret string, control func(network, address string, c syscall.RawConn) error) *Source {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if control != nil {
		t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: control}).DialContext
		t.Proxy = nil // the control would check the proxy's address
	}
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	hc := &http.Client{Transport: t, Timeout: FetchTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cfg := &clientcredentials.Config{ClientID: o.ClientID, ClientSecret: secret, TokenURL: o.TokenURL, Scopes: o.Scopes}
	// The token outlives any one request: fetch with a context of its own,
	// bounded by hc's timeout.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
	return &Source{ts: cfg.TokenSource(ctx), tokenURL: o.TokenURL}
}

// Token returns a valid access token, for client.WithBearerToken.
func (s *Source) Token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	tok, err := s.ts.Token()
	if err != nil {
		err = s.explain(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil:
		s.refused = nil
		return tok.AccessToken, nil
	case errors.Is(err, ErrRefused):
		s.refused = err
	}
	return "", err
}

// Refused is the last token fetch's refusal (ErrRefused), nil if it
// succeeded or failed otherwise (unreachable, timeout).
func (s *Source) Refused() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// explain turns the oauth2 library's error into one that says what the
// token endpoint did.
func (s *Source) explain(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("oauth token endpoint %s: %w", s.tokenURL, err)
	}
	switch status := re.Response.StatusCode; {
	case re.ErrorCode != "":
		return fmt.Errorf("%w: %s", ErrRefused, printable(re.ErrorCode))
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: HTTP %d", ErrRefused, status)
	default:
		return fmt.Errorf("oauth token endpoint %s answered HTTP %d without a token", s.tokenURL, status)
	}
}

// printable bounds an error code from the token endpoint (untrusted) to
// RFC 6749 §5.2's characters and 64 of them.
func printable(code string) string {
	b := []byte(code)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	if len(b) > 64 {
		b = append(b[:64], "..."...)
	}
	return string(b)
}
