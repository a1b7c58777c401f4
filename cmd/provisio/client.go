package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/provisio-dev/provisio/internal/config"
)

// apiClient calls the admin API (/api/v1) with the admin token.
type apiClient struct {
	cfg  config.Client
	http *http.Client
	// stream has no overall timeout, for calls that take what they take
	// (a CSV import, a cycle waited for); the command's context ends them.
	stream *http.Client
}

// newAPIClient returns a client sending through rt (nil: the default).
func newAPIClient(cfg config.Client, rt http.RoundTripper) *apiClient {
	return &apiClient{cfg: cfg, http: &http.Client{Timeout: 30 * time.Second, Transport: rt}, stream: &http.Client{Transport: rt}}
}

// apiError is an error answer of the admin API.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("server answered %d %s: %s", e.Status, e.Code, e.Message)
}

// do sends a request with in as JSON body (nil: none) and decodes the
// answer into out (nil: ignore it).
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	contentType := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	return c.send(ctx, c.http, method, path, contentType, body, out)
}

// send sends body (nil: none) with the given Content-Type through hc and
// decodes the answer into out (nil: ignore it).
func (c *apiClient) send(ctx context.Context, hc *http.Client, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.Server+path, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("call %s: %w", c.cfg.Server, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		return answerError(resp.StatusCode, b, c.cfg.TokenSource)
	}
	if out == nil || len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
	}
	return nil
}

// answerError turns an error answer into an *apiError, with a hint for
// 401 about where the rejected token came from.
func answerError(status int, body []byte, tokenSource string) error {
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	e := &apiError{Status: status, Code: "unexpected", Message: http.StatusText(status)}
	if json.Unmarshal(body, &env) == nil && env.Error.Code != "" {
		e.Code, e.Message = env.Error.Code, env.Error.Message
	}
	if status == http.StatusUnauthorized {
		return fmt.Errorf("%w (admin token from %s)", e, tokenSource)
	}
	return e
}
