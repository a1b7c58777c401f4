// Package outbound owns the targets Provisio's server may connect to when
// it provisions: every SCIM request of a provisioning job and every Test
// Connection. An operator restricts them with --outbound-allow, a list of
// address prefixes and host names, checked on the address actually
// dialled (after DNS resolution), so a host name that resolves elsewhere
// than it did a moment ago (DNS rebinding) cannot get around it. It also
// tells whether a Tenant URL sends the Secret Token in clear.
package outbound

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/provisio-dev/provisio/scim/client"
)

// Policy is a list of allowed targets. A nil *Policy allows every target.
type Policy struct {
	prefixes []netip.Prefix
	hosts    []string // lower case; "*.example.com" matches every name below example.com
}

// Parse reads a comma-separated list of allowed targets: address prefixes
// in CIDR notation ("10.0.0.0/8", "2001:db8::/32"), single addresses
// ("192.0.2.7"), host names ("scim.example.com") and wildcard names
// ("*.example.com", every name below example.com, not example.com
// itself). A Tenant URL whose host is an allowed name may reach whatever
// that name resolves to; any other host is allowed only if every address
// dialled lies in a prefix. An empty list gives nil: no restriction.
func Parse(list string) (*Policy, error) {
	var p Policy
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
			continue
		case strings.Contains(e, "/"):
			pfx, err := netip.ParsePrefix(e)
			if err != nil || pfx.Addr().Zone() != "" {
				return nil, badEntry(e)
			}
			p.prefixes = append(p.prefixes, pfx.Masked())
		case strings.ContainsAny(e, ":") || isIPv4(e):
			a, err := netip.ParseAddr(e)
			if err != nil || a.Zone() != "" {
				return nil, badEntry(e)
			}
			a = a.Unmap()
			p.prefixes = append(p.prefixes, netip.PrefixFrom(a, a.BitLen()))
		default:
			name := strings.ToLower(e)
			if !validName(strings.TrimPrefix(name, "*.")) {
				return nil, badEntry(e)
			}
			p.hosts = append(p.hosts, name)
		}
	}
	if len(p.prefixes) == 0 && len(p.hosts) == 0 {
		return nil, nil
	}
	return &p, nil
}

func badEntry(e string) error {
	return fmt.Errorf("%q is not an address prefix (10.0.0.0/8), an IP address, a host name or a *.domain wildcard", e)
}

// isIPv4 reports whether s looks like a dotted IPv4 address (digits and
// dots only), as opposed to a host name.
func isIPv4(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}

// validName reports whether s is a DNS host name (RFC 1123 §2.1): labels
// of letters, digits and hyphens, not starting or ending with a hyphen,
// at most 63 characters each and 253 in all.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		if strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}

// String is the list in its canonical form, as Parse reads it.
func (p *Policy) String() string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, pfx := range p.prefixes {
		parts = append(parts, pfx.String())
	}
	return strings.Join(append(parts, p.hosts...), ",")
}

// allowsName reports whether host (a name, not an address) is allowed by
// name.
func (p *Policy) allowsName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, h := range p.hosts {
		if h == host || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
			return true
		}
	}
	return false
}

// allowsAddr reports whether a lies in an allowed prefix.
func (p *Policy) allowsAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, pfx := range p.prefixes {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// control refuses to dial an address outside p's prefixes.
func (p *Policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s is not an IP address and port", client.ErrNotAllowed, address)
	}
	if !p.allowsAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s is not in --outbound-allow (%s)", client.ErrNotAllowed, ap.Addr().Unmap(), p)
	}
	return nil
}

// ClientOptions are the scim/client options that hold a client of
// tenantURL to p: none if p is nil or allows the URL's host by name,
// otherwise a dial control that refuses every address outside p's
// prefixes (an error wrapping client.ErrNotAllowed).
func (p *Policy) ClientOptions(tenantURL string) []client.Option {
	if control := p.Control(tenantURL); control != nil {
		return []client.Option{client.WithDialControl(control)}
	}
	return nil
}

// Control is the dial control (see [net.Dialer.Control]) that holds a
// connection to rawURL to p: nil if p is nil or allows the URL's host by
// name. It serves the other URLs a job connects to, such as an OAuth 2.0
// token endpoint, as ClientOptions serves its Tenant URL.
func (p *Policy) Control(rawURL string) func(network, address string, c syscall.RawConn) error {
	if p == nil {
		return nil
	}
	if u, err := url.Parse(rawURL); err == nil && net.ParseIP(u.Hostname()) == nil && p.allowsName(u.Hostname()) {
		return nil
	}
	return p.control
}

// Cleartext reports whether tenantURL sends the Secret Token unencrypted
// across a network: plain http to a host other than a loopback address,
// "localhost" or a name below "localhost." (RFC 6761 §6.3).
func Cleartext(tenantURL string) bool {
	u, err := url.Parse(tenantURL)
	if err != nil || !strings.EqualFold(u.Scheme, "http") {
		return false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err != nil || !a.Unmap().IsLoopback()
}
