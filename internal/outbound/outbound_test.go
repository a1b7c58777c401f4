package outbound

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim/client"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, wantErr string
	}{
		{name: "empty", in: " , ", want: ""},
		{name: "prefixes and names", in: "10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,SCIM.example.com,*.Example.org",
			want: "10.0.0.0/8,192.0.2.7/32,2001:db8::/32,scim.example.com,*.example.org"},
		{name: "prefix masked", in: "10.1.2.3/8", want: "10.0.0.0/8"},
		{name: "ipv6 address", in: "::1", want: "::1/128"},
		{name: "mapped ipv4", in: "::ffff:192.0.2.7", want: "192.0.2.7/32"},
		{name: "bad prefix", in: "10.0.0.0/33", wantErr: "is not"},
		{name: "bad address", in: "10.0.0", wantErr: "is not"},
		{name: "url", in: "https://scim.example.com", wantErr: "is not"},
		{name: "port", in: "scim.example.com:443", wantErr: "is not"},
		{name: "inner wildcard", in: "scim.*.example.com", wantErr: "is not"},
		{name: "bare wildcard", in: "*", wantErr: "is not"},
		{name: "hyphen", in: "-scim.example.com", wantErr: "is not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.in)
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.in) {
					t.Errorf("Parse(%q) = %v, %v; want an error naming the entry", tc.in, p, err)
				}
			case err != nil || p.String() != tc.want:
				t.Errorf("Parse(%q) = %q, %v; want %q", tc.in, p.String(), err, tc.want)
			case tc.want == "" && p != nil:
				t.Errorf("Parse(%q) = %v, want nil (no restriction)", tc.in, p)
			}
		})
	}
}

// TestPolicyDials: a client built with ClientOptions reaches a loopback
// SCIM service only where the policy allows it, by name or by the
// address the name resolved to.
func TestPolicyDials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	byIP, byName := "http://127.0.0.1:"+port+"/scim", "http://localhost:"+port+"/scim"
	for _, tc := range []struct {
		name, policy, url string
		allowed           bool
	}{
		{"no policy", "", byIP, true},
		{"address in a prefix", "127.0.0.0/8", byIP, true},
		{"address outside", "10.0.0.0/8", byIP, false},
		{"name resolving into a prefix", "127.0.0.1", byName, true},
		{"name resolving outside", "10.0.0.0/8,*.example.com", byName, false},
		{"allowed name", "localhost", byName, true},
		{"a name does not allow its address", "localhost", byIP, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			c, err := client.New(tc.url, p.ClientOptions(tc.url)...)
			if err != nil {
				t.Fatal(err)
			}
			err = c.TestConnection(context.Background(), "")
			var ce *client.ConnectionError
			switch {
			case tc.allowed && err != nil:
				t.Errorf("policy %q: TestConnection(%s) = %v, want nil", tc.policy, tc.url, err)
			case !tc.allowed && (!errors.As(err, &ce) || ce.Reason != client.ReasonNotAllowed || !strings.Contains(err.Error(), "127.0.0.1 is not in --outbound-allow")):
				t.Errorf("policy %q: TestConnection(%s) = %v, want not-allowed naming 127.0.0.1", tc.policy, tc.url, err)
			}
		})
	}
}

func TestCleartext(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		want      bool
	}{
		{"https", "https://scim.example.com/v2", false},
		{"http to a name", "http://scim.example.com/v2", true},
		{"http to an address", "http://192.0.2.7:8080/v2", true},
		{"http to loopback", "http://127.0.0.1:8080/scim/x/v2", false},
		{"http to ipv6 loopback", "http://[::1]:8080/v2", false},
		{"http to localhost", "HTTP://LocalHost:8080/v2", false},
		{"http below localhost", "http://app.localhost/v2", false},
		{"http to a name ending like localhost", "http://evil-localhost/v2", true},
	} {
		if got := Cleartext(tc.url); got != tc.want {
			t.Errorf("%s: Cleartext(%q) = %v, want %v", tc.name, tc.url, got, tc.want)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts reads back the same
// from its canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "192.0.2.7,scim.example.com", "*.example.com", "::1,2001:db8::/32", "a..b", "1.2.3.4/99", "fe80::1%eth0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		q, err := Parse(p.String())
		if err != nil || q.String() != p.String() {
			t.Errorf("Parse(%q).String() = %q reads back as %q, %v", s, p.String(), q.String(), err)
		}
		if p != nil {
			_ = p.allowsName(s)
		}
	})
}
