package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"
)

// Step types of a Runscope export.
const (
	StepRequest = "request"
	StepPause   = "pause"
)

// maxResponseBody bounds how much of a response the runner reads.
const maxResponseBody = 4 << 20

// Test is a Runscope test export: an ordered list of steps.
type Test struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Steps       []Step `json:"steps"`
}

// Step is one step of a Runscope test. Request steps carry a request,
// assertions on its response and variables to extract from it; pause steps
// only a duration, which the runner does not wait for.
type Step struct {
	StepType   string              `json:"step_type"`
	Skipped    bool                `json:"skipped"`
	Note       string              `json:"note"`
	Method     string              `json:"method"`
	URL        string              `json:"url"`
	Headers    map[string][]string `json:"headers"`
	Body       string              `json:"body"`
	Assertions []Assertion         `json:"assertions"`
	Variables  []Variable          `json:"variables"`
	// Scripts are Runscope's JavaScript post-response scripts. The runner
	// does not execute JavaScript; callers decide what to do with them.
	Scripts []string `json:"scripts"`
}

// HasScripts reports whether the step has a non-blank script.
func (s Step) HasScripts() bool {
	for _, sc := range s.Scripts {
		if strings.TrimSpace(sc) != "" {
			return true
		}
	}
	return false
}

// Variable names a value to extract from a response into the variables.
type Variable struct {
	Source   string `json:"source"`
	Name     string `json:"name"`
	Property string `json:"property"`
}

// LoadTest reads and decodes a Runscope export.
func LoadTest(path string) (*Test, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load runscope test: %w", err)
	}
	var t Test
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("decode runscope test %s: %w", path, err)
	}
	return &t, nil
}

// Vars holds the variables of a run: those the caller supplies and those
// extracted from responses.
type Vars map[string]string

var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// Substitute replaces every {{name}} in s with its value. An undefined
// variable is an error rather than an empty string, so a missing input or a
// failed extraction shows up as such instead of as a confusing request.
func (v Vars) Substitute(s string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		val, ok := v[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return val
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("undefined variable(s) %s in %q", strings.Join(missing, ", "), s)
	}
	return out, nil
}

// Response is a received response, as assertions and variables see it.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Elapsed time.Duration
}

// Runner sends the request steps of a Runscope test.
type Runner struct {
	Client *http.Client
	Vars   Vars
}

// Send substitutes the variables into step's URL, headers and body, sends
// the request and reads the whole response.
func (r *Runner) Send(ctx context.Context, step Step) (*Response, error) {
	req, err := r.request(ctx, step)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := r.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("send %s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	elapsed := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("read response of %s %s: %w", req.Method, req.URL, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body, Elapsed: elapsed}, nil
}

func (r *Runner) request(ctx context.Context, step Step) (*http.Request, error) {
	rawURL, err := r.Vars.Substitute(step.URL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	body, err := r.Vars.Substitute(step.Body)
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	var bodyReader io.Reader
	if body != "" {
		bodyReader = strings.NewReader(body)
	}
	// Runscope sends URLs as typed, spaces and quotes included; encode
	// them the way a browser or Runscope would before parsing.
	req, err := http.NewRequestWithContext(ctx, step.Method, encodeURL(rawURL), bodyReader)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for name, values := range step.Headers {
		for _, value := range values {
			value, err := r.Vars.Substitute(value)
			if err != nil {
				return nil, fmt.Errorf("header %s: %w", name, err)
			}
			req.Header.Add(name, value)
		}
	}
	return req, nil
}

// encodeURL percent-encodes the characters a typed URL may contain but an
// HTTP request line may not (space, double quote and the like), leaving
// everything else, including existing escapes, alone.
func encodeURL(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Extract evaluates a variable definition against a response and returns
// the value as Runscope would store it (the string form of the JSON value).
func Extract(v Variable, resp *Response) (string, error) {
	if v.Source != SourceJSON {
		return "", fmt.Errorf("variable %s: unsupported source %q", v.Name, v.Source)
	}
	doc, err := decodeJSON(resp.Body)
	if err != nil {
		return "", fmt.Errorf("variable %s: %w", v.Name, err)
	}
	val, ok := lookup(doc, v.Property)
	if !ok || val == nil {
		return "", fmt.Errorf("variable %s: property %q not in response", v.Name, v.Property)
	}
	return stringify(val), nil
}
