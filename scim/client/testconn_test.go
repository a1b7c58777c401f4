package client

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const emptyList = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`

func TestTestConnection(t *testing.T) {
	tests := []struct {
		name   string
		step   step
		want   Reason // "" = success
		filter string // matching attribute
	}{
		{name: "empty list response", step: step{status: 200, body: emptyList}},
		{name: "plain json content type accepted", step: step{status: 200, contentType: "application/json", body: emptyList}, filter: "externalId"},
		{name: "401", step: step{status: 401}, want: ReasonCredentials},
		{name: "403", step: step{status: 403}, want: ReasonCredentials},
		{name: "404", step: step{status: 404, contentType: "text/html", body: "<h1>Not Found</h1>"}, want: ReasonNotFound},
		{name: "html login page", step: step{status: 200, contentType: "text/html", body: "<html>sign in</html>"}, want: ReasonNotSCIM},
		{name: "not json", step: step{status: 200, body: "hello"}, want: ReasonNotSCIM},
		{name: "json without list schema", step: step{status: 200, body: `{"totalResults":0}`}, want: ReasonNotSCIM},
		{name: "filter ignored", step: step{status: 200, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[{"id":"a"},{"id":"b"}]}`}, want: ReasonFilter},
		{name: "500 not retried", step: step{status: 500}, want: ReasonStatus},
		{name: "connection reset", step: step{reset: true}, want: ReasonNetwork},
	}
	guidFilter := regexp.MustCompile(`^(userName|externalId) eq "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, tt.step)
			c, _ := newTestClient(t, fs.URL+"/scim/v2")
			err := c.TestConnection(t.Context(), tt.filter)
			checkReason(t, err, tt.want)
			reqs := fs.requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			q, _ := url.ParseQuery(reqs[0].rawQuery)
			if reqs[0].method != http.MethodGet || reqs[0].path != "/scim/v2/Users" || !guidFilter.MatchString(q.Get("filter")) {
				t.Errorf("request = %s %s?%s, want GET /scim/v2/Users?filter=<attr> eq \"<guid>\"", reqs[0].method, reqs[0].path, reqs[0].rawQuery)
			}
		})
	}
}

func checkReason(t *testing.T, err error, want Reason) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("TestConnection = %v, want nil", err)
		}
		return
	}
	var ce *ConnectionError
	if !errors.As(err, &ce) {
		t.Fatalf("TestConnection = %v, want *ConnectionError", err)
	}
	if ce.Reason != want {
		t.Errorf("TestConnection reason = %q (%v), want %q", ce.Reason, err, want)
	}
	generic := (&ConnectionError{Reason: ReasonStatus}).explain()
	if msg := err.Error(); !strings.HasPrefix(msg, "test connection: ") || (want != ReasonStatus && strings.Contains(msg, generic)) {
		t.Errorf("TestConnection error %q lacks a specific explanation", msg)
	}
	if ce.Unwrap() == nil {
		t.Errorf("TestConnection error %q wraps no cause", err)
	}
}

func TestTestConnectionTransport(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	// A resolver failure, as net.Dialer reports it, without asking a real resolver.
	noDNS := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "tenant.example", IsNotFound: true}}
	}}}
	hang := newFaultServer(t, step{hang: true})
	plain := newFaultServer(t, step{status: 200, body: emptyList})
	tests := []struct {
		name string
		url  string
		hc   *http.Client
		want Reason
	}{
		{"connection refused", "http://" + closedAddr(t) + "/scim", nil, ReasonUnreachable},
		{"dns failure", "http://tenant.example/scim", noDNS, ReasonUnreachable},
		{"untrusted certificate", tlsSrv.URL + "/scim", nil, ReasonTLS},
		{"https to a plain http port", "https://" + plain.Listener.Addr().String() + "/scim", nil, ReasonTLS},
		{"timeout", hang.URL + "/scim", nil, ReasonTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeout := 5 * time.Second // generous: the machine may be busy
			if tt.want == ReasonTimeout {
				timeout = 100 * time.Millisecond
			}
			opts := []Option{WithTimeout(timeout), WithStaticToken(testToken)}
			if tt.hc != nil {
				opts = append(opts, WithHTTPClient(tt.hc))
			}
			c, err := New(tt.url, opts...)
			if err != nil {
				t.Fatal(err)
			}
			checkReason(t, c.TestConnection(t.Context(), "userName"), tt.want)
		})
	}
}

func TestTestConnectionTokenSourceFails(t *testing.T) {
	fs := newFaultServer(t, step{status: 200, body: emptyList})
	c, err := New(fs.URL, WithBearerToken(func(context.Context) (string, error) {
		return "", errors.New("decrypt secret: wrong key")
	}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.TestConnection(t.Context(), "")
	checkReason(t, err, ReasonCredentials)
	if want := "no bearer token could be obtained"; err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "refused the Secret Token") {
		t.Errorf("TestConnection() = %v, want %q, not a refused Secret Token", err, want)
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}
