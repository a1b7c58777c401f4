// Package clientip finds a request's client address behind trusted
// reverse proxies (serve --trusted-proxies).
//
// Without trusted proxies the client address is the TCP peer. When the
// peer is in a trusted range, X-Forwarded-For (the de facto header; RFC
// 7239 §5.2 describes the same chain as "for=") is read from the right:
// each proxy appends the address it received the request from, so the
// right-most address that is not itself a trusted proxy is the first hop
// no trusted proxy vouches for, the client. Entries left of it are what
// the client claimed and are ignored, so a client cannot spoof its
// address; a peer outside the trusted ranges cannot either, as its
// header is not read at all.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is a set of trusted proxy address ranges; the zero value trusts
// none.
type Proxies struct {
	nets []netip.Prefix
}

// Parse reads a comma-separated list of CIDR ranges or single addresses
// ("10.0.0.0/8,192.0.2.7,fd00::/8"); "" trusts none.
func Parse(s string) (Proxies, error) {
	var p Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var pre netip.Prefix
		var err error
		if strings.Contains(f, "/") {
			pre, err = netip.ParsePrefix(f)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(f); err == nil {
				pre = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
		}
		if err != nil {
			return Proxies{}, fmt.Errorf("trusted proxy %q: want a CIDR range (10.0.0.0/8) or an address", f)
		}
		p.nets = append(p.nets, pre.Masked())
	}
	return p, nil
}

// String is the ranges, comma-separated.
func (p Proxies) String() string {
	s := make([]string, len(p.nets))
	for i, n := range p.nets {
		s[i] = n.String()
	}
	return strings.Join(s, ",")
}

// Empty reports whether no proxy is trusted.
func (p Proxies) Empty() bool { return len(p.nets) == 0 }

func (p Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Address returns the request's client address: the TCP peer (without
// its port), or, when the peer is a trusted proxy, the right-most
// X-Forwarded-For address that is not a trusted proxy (all header lines
// read as one list, RFC 9110 §5.3). When every address in the chain is
// trusted, the left-most is the client; at an entry that is not an
// address the last trusted hop is returned, so junk cannot pick a
// throttling bucket.
func (p Proxies) Address(r *http.Request) string {
	peer := peerAddress(r.RemoteAddr)
	a, err := netip.ParseAddr(peer)
	if err != nil || !p.trusted(a) {
		return peer
	}
	var hops []string
	for _, line := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(line, ",")...)
	}
	client := a.Unmap()
	for i := len(hops) - 1; i >= 0; i-- {
		h, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = h
		if !p.trusted(h) {
			break
		}
	}
	return client.String()
}

// parseHop parses an X-Forwarded-For entry: an address, possibly with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// peerAddress is RemoteAddr without the port.
func peerAddress(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}
