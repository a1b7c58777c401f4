package dirsvc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/scim"
)

// ExtensionPrefix starts the name of a free extension attribute.
const ExtensionPrefix = directory.ExtensionPrefix

// SetAttr sets the attribute name of u to value, by Entra's source
// attribute name (case-insensitive; see directory.UserCatalog), or an
// extension attribute whose name starts with "extension_". A value is a
// string, a bool or nil: nil or "" clears the attribute; accountEnabled
// takes a bool or its text (true/false, also 1/0, yes/no); a string
// attribute takes a bool as its text, as the admin API always has.
// manager takes the manager's ObjectID as it is (the Service resolves UPNs
// before calling this). objectId cannot be set; an unknown name or a bad
// value is an error wrapping ErrInvalid.
func SetAttr(u *directory.User, name string, value any) error {
	return setAttr(u, name, value, false)
}

// setAttr is SetAttr, for a new user (isNew) also of objectId.
func setAttr(u *directory.User, name string, value any, isNew bool) error {
	a, ok := directory.LookupUser(name)
	switch {
	case !ok:
		return fmt.Errorf("unknown attribute %q (want one of %s or %s<name>): %w",
			name, strings.Join(directory.UserAttributes[1:], ", "), ExtensionPrefix, ErrInvalid)
	case !a.Settable && !isNew:
		return fmt.Errorf("%s is immutable: %w", a.Name, ErrInvalid)
	}
	v, err := attrValue(a, value)
	if err != nil {
		return err
	}
	if err := a.Set(u, v); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	return nil
}

// attrValue converts value to the type of a.
func attrValue(a directory.Attribute[directory.User], value any) (any, error) {
	switch v := value.(type) {
	case nil:
		if a.Type == directory.Boolean {
			return nil, fmt.Errorf("%s: want true or false: %w", a.Name, ErrInvalid)
		}
		return "", nil
	case bool:
		if a.Type == directory.Boolean {
			return value, nil
		}
		return strconv.FormatBool(v), nil
	case string:
		if a.Type != directory.Boolean {
			return value, nil
		}
		b, err := parseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", a.Name, v, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s: want a string, a boolean or null, not %T: %w", a.Name, value, ErrInvalid)
}

// KnownAttr reports whether name is a user attribute SetAttr accepts (or,
// for objectId, a CSV import accepts for new users).
func KnownAttr(name string) bool {
	_, ok := directory.LookupUser(name)
	return ok
}

func parseBool(s string) (bool, error) {
	b, err := scim.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("not a boolean: %w", ErrInvalid)
	}
	return b, nil
}

// validUPN checks the shape of a userPrincipalName: local@domain, no
// spaces or control characters.
func validUPN(upn string) error {
	local, domain, ok := strings.Cut(upn, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") ||
		strings.ContainsFunc(upn, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("userPrincipalName %q: want local@domain without spaces: %w", upn, ErrInvalid)
	}
	return nil
}
