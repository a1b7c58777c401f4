// Package apiclient is a typed Go client of Provisio's admin API
// (/api/v1): one method per operation of internal/adminapi/openapi.json,
// taking and returning the wire types of internal/apitypes. An error
// answer is an *Error carrying the answer's status, code and message.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// DefaultTimeout bounds a call, except those that take what they take (a
// CSV import, a cycle waited for): their context ends them.
const DefaultTimeout = 30 * time.Second

// maxAnswer bounds the answer bodies read.
const maxAnswer = 16 << 20

// Options configures a Client.
type Options struct {
	// TokenSource says where the admin token came from ("$PROVISIO_ADMIN_TOKEN",
	// a file); a 401 answer names it.
	TokenSource string
	// Transport carries the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// Client calls the admin API of one server with one admin token.
type Client struct {
	server, token, tokenSource string
	http                       *http.Client // bounded by DefaultTimeout
	stream                     *http.Client // no overall timeout
}

// New returns a client of the server at base (e.g. http://127.0.0.1:8080)
// presenting the admin token.
func New(base, token string, opts Options) *Client {
	return &Client{server: strings.TrimRight(base, "/"), token: token, tokenSource: opts.TokenSource,
		http:   &http.Client{Timeout: DefaultTimeout, Transport: opts.Transport},
		stream: &http.Client{Transport: opts.Transport}}
}

// TokenSource is where the client's admin token came from.
func (c *Client) TokenSource() string { return c.tokenSource }

// Error is an error answer of the admin API.
type Error struct {
	Status  int
	Code    string // apitypes.Code*
	Message string
	// Position and Hint locate an expression's syntax error (see
	// apitypes.Error); Position is nil for other errors.
	Position *int
	Hint     string
}

func (e *Error) Error() string {
	return fmt.Sprintf("server answered %d %s: %s", e.Status, e.Code, e.Message)
}

// call sends a request with in as JSON body (nil: none) and decodes the
// answer into out (nil: ignore it).
func (c *Client) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body io.Reader
	contentType := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	return c.send(ctx, c.http, method, path, q, contentType, body, out)
}

// send sends body (nil: none) with the given Content-Type through hc and
// decodes the answer into out (nil: ignore it).
func (c *Client) send(ctx context.Context, hc *http.Client, method, path string, q url.Values, contentType string, body io.Reader, out any) error {
	u := c.server + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("call %s: %w", c.server, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		return c.answerError(resp.StatusCode, b)
	}
	if out == nil || len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
	}
	return nil
}

// answerError turns an error answer into an *Error, with a hint for 401
// about where the rejected token came from.
func (c *Client) answerError(status int, body []byte) error {
	var env apitypes.ErrorBody
	e := &Error{Status: status, Code: "unexpected", Message: http.StatusText(status)}
	if json.Unmarshal(body, &env) == nil && env.Error.Code != "" {
		e.Code, e.Message = env.Error.Code, env.Error.Message
		e.Position, e.Hint = env.Error.Position, env.Error.Hint
	}
	if status == http.StatusUnauthorized && c.tokenSource != "" {
		return fmt.Errorf("%w (admin token from %s)", e, c.tokenSource)
	}
	return e
}

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }
