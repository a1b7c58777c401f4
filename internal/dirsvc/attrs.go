package dirsvc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// ExtensionPrefix starts the name of a free extension attribute (Entra's
// directory extensions are named extension_<appId>_<name>).
const ExtensionPrefix = "extension_"

// SetAttr sets the attribute name of u to value, by Entra's source
// attribute name (case-insensitive; see directory.UserAttributes), or an
// extension attribute whose name starts with "extension_". An empty value
// clears the attribute. accountEnabled takes true/false (also 1/0, yes/no).
// manager takes the manager's ObjectID as it is (the Service resolves UPNs
// before calling this). objectId cannot be set; an unknown name or a bad
// value is an error wrapping store.ErrInvalid.
func SetAttr(u *directory.User, name, value string) error {
	if f := userField(u, name); f != nil {
		*f = value
		return nil
	}
	switch {
	case strings.EqualFold(name, "accountEnabled"):
		b, err := parseBool(value)
		if err != nil {
			return fmt.Errorf("accountEnabled %q: %w", value, err)
		}
		u.AccountEnabled = b
		return nil
	case strings.EqualFold(name, "objectId"):
		return fmt.Errorf("objectId is immutable: %w", store.ErrInvalid)
	case isExtension(name):
		setExtension(u, name, value)
		return nil
	}
	return fmt.Errorf("unknown attribute %q (want one of %s or %s<name>): %w",
		name, strings.Join(directory.UserAttributes[1:], ", "), ExtensionPrefix, store.ErrInvalid)
}

// KnownAttr reports whether name is a user attribute SetAttr accepts (or,
// for objectId, a CSV import accepts for new users).
func KnownAttr(name string) bool {
	if strings.EqualFold(name, "objectId") || strings.EqualFold(name, "accountEnabled") || isExtension(name) {
		return true
	}
	return userField(&directory.User{}, name) != nil
}

func isExtension(name string) bool {
	return len(name) > len(ExtensionPrefix) && strings.EqualFold(name[:len(ExtensionPrefix)], ExtensionPrefix)
}

// setExtension stores an extension under the spelling already in use, if
// any, so names stay case-insensitive.
func setExtension(u *directory.User, name, value string) {
	for k := range u.Extensions {
		if strings.EqualFold(k, name) {
			name = k
			break
		}
	}
	if value == "" {
		delete(u.Extensions, name)
		return
	}
	if u.Extensions == nil {
		u.Extensions = map[string]string{}
	}
	u.Extensions[name] = value
}

// userField returns the string field named name (case-insensitive).
func userField(u *directory.User, name string) *string {
	switch strings.ToLower(name) {
	case "userprincipalname":
		return &u.UserPrincipalName
	case "mail":
		return &u.Mail
	case "mailnickname":
		return &u.MailNickname
	case "displayname":
		return &u.DisplayName
	case "givenname":
		return &u.GivenName
	case "surname":
		return &u.Surname
	case "jobtitle":
		return &u.JobTitle
	case "department":
		return &u.Department
	case "employeeid":
		return &u.EmployeeID
	case "mobile":
		return &u.Mobile
	case "telephonenumber":
		return &u.TelephoneNumber
	case "streetaddress":
		return &u.StreetAddress
	case "postalcode":
		return &u.PostalCode
	case "manager":
		return &u.Manager
	}
	return nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "on":
		return true, nil
	case "no", "n", "off":
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, fmt.Errorf("not a boolean: %w", store.ErrInvalid)
	}
	return b, nil
}

// validUPN checks the shape of a userPrincipalName: local@domain, no
// spaces or control characters.
func validUPN(upn string) error {
	local, domain, ok := strings.Cut(upn, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") ||
		strings.ContainsFunc(upn, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("userPrincipalName %q: want local@domain without spaces: %w", upn, store.ErrInvalid)
	}
	return nil
}
