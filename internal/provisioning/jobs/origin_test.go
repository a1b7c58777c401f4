package jobs

import "testing"

func TestOrigin(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"default http port", "http://app.example.com/scim/v2", "http://app.example.com:80"},
		{"explicit default port", "http://app.example.com:80/other", "http://app.example.com:80"},
		{"default https port", "https://app.example.com/scim", "https://app.example.com:443"},
		{"case", "HTTPS://App.Example.COM/scim", "https://app.example.com:443"},
		{"other port", "https://app.example.com:8443/scim", "https://app.example.com:8443"},
		{"ipv6", "http://[::1]:8080/scim", "http://[::1]:8080"},
	} {
		if got := origin(tc.in); got != tc.want {
			t.Errorf("%s: origin(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
