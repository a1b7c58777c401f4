package outbound

import (
	"errors"
	"testing"

	"github.com/provisio-dev/provisio/scim/client"
)

func TestDialControl(t *testing.T) {
	p, err := Parse("10.0.0.0/8, hooks.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		p       *Policy
		url     string
		addr    string // dialled; "" when no control is wanted
		refused bool
	}{
		{name: "no policy", p: nil, url: "https://anything.example.net/x"},
		{name: "allowed name", p: p, url: "https://hooks.example.com/x"},
		{name: "address in prefix", p: p, url: "https://other.example.net/x", addr: "10.1.2.3:443"},
		{name: "address outside", p: p, url: "https://other.example.net/x", addr: "192.0.2.1:443", refused: true},
		{name: "literal address outside", p: p, url: "http://127.0.0.1:8080/x", addr: "127.0.0.1:8080", refused: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.p.DialControl(tc.url)
			if tc.addr == "" {
				if c != nil {
					t.Errorf("DialControl(%q) = a control, want nil", tc.url)
				}
				return
			}
			if c == nil {
				t.Fatalf("DialControl(%q) = nil, want a control", tc.url)
			}
			err := c("tcp", tc.addr, nil)
			if got := errors.Is(err, client.ErrNotAllowed); got != tc.refused || (err != nil && !got) {
				t.Errorf("DialControl(%q)(%s) = %v, want refused %v", tc.url, tc.addr, err, tc.refused)
			}
		})
	}
}
