package clientip

import (
	"net/http"
	"testing"
)

func TestParse(t *testing.T) {
	p, err := Parse(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,,::ffff:198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.String(), "10.0.0.0/8,192.0.2.7/32,fd00::/8,198.51.100.1/32"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if p, err := Parse(""); err != nil || !p.Empty() {
		t.Errorf("Parse(\"\") = %v, %v, want no proxies", p, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.1/8x"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", bad)
		}
	}
}

func TestAddress(t *testing.T) {
	p, err := Parse("10.0.0.0/8,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		proxies Proxies
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies trusted: the peer, header ignored", Proxies{}, "10.1.2.3:5000", []string{"203.0.113.9"}, "10.1.2.3"},
		{"spoofed header from an untrusted peer is ignored", p, "198.51.100.7:5000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"trusted peer: the forwarded address", p, "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client-supplied entries left of the real one are ignored", p, "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{"right-most untrusted through a proxy chain", p, "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"several header lines are one list", p, "10.1.2.3:5000", []string{"1.1.1.1", "203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"trusted peer without the header: the peer", p, "10.1.2.3:5000", nil, "10.1.2.3"},
		{"all trusted: the left-most", p, "10.1.2.3:5000", []string{"10.7.7.7, 10.8.8.8"}, "10.7.7.7"},
		{"junk entry: the last trusted hop", p, "10.1.2.3:5000", []string{"203.0.113.9, junk"}, "10.1.2.3"},
		{"entries with ports", p, "10.1.2.3:5000", []string{"[2001:db8::1]:443, 10.9.9.9:80"}, "2001:db8::1"},
		{"IPv6 trusted peer, mapped IPv4 client", p, "[fd00::1]:5000", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"IPv4-mapped peer in a trusted IPv4 range", p, "[::ffff:10.1.2.3]:5000", []string{"203.0.113.9"}, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tt.proxies.Address(r); got != tt.want {
				t.Errorf("Address() = %q, want %q", got, tt.want)
			}
		})
	}
}
