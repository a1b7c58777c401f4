package portal

import "strings"

// HomeURL is tenant's portal page on a server whose external base URL is
// base: where its users go to sign in.
func HomeURL(base, tenant string) string {
	return strings.TrimRight(base, "/") + tenantPath(tenant)
}

// CallbackURL is the redirect URI of tenant's portal (OpenID Connect Core
// §3.1.2.1): what its client at the OpenID provider must register.
func CallbackURL(base, tenant string) string {
	return HomeURL(base, tenant) + "callback"
}
