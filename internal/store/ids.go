package store

// TenantIDLength is the length of a tenant id.
const TenantIDLength = 12

// ValidTenantID reports whether id has the form of a tenant id: 12
// characters of [a-z2-7] (60 random bits, base32 in lower case), as every
// store issues them (the conformance suite checks it). A caller can so
// answer an id no tenant can have without a query.
func ValidTenantID(id string) bool {
	if len(id) != TenantIDLength {
		return false
	}
	for _, c := range []byte(id) {
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}
