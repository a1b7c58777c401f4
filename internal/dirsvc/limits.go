package dirsvc

import (
	"fmt"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/scim"
)

// The directory holds its strings to the limits of the SCIM service
// (scim.CheckIdentifier, scim.CheckText), so that the two stores take the
// same input, PostgreSQL's unique indexes on userPrincipalName and on
// group and app names fit every value, and what the provisioning engine
// sends a SCIM target passes there too:
//   - identifiers and names (userPrincipalName, objectId, manager, group
//     displayName, app name, app role, extension attribute names, and
//     references to users, groups and apps): at most
//     scim.MaxIdentifierLength characters, no control characters;
//   - every other attribute: at most scim.MaxStringLength characters, no
//     control characters but TAB, LF and CR.
//
// A value over a limit wraps ErrInvalid; a reference no object can have
// is ErrNotFound, without a query.

// checkIdentifier checks an identifier or name attribute.
func checkIdentifier(name, s string) error {
	if err := scim.CheckIdentifier(name, s); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	return nil
}

// checkText checks a free-text attribute.
func checkText(name, s string) error {
	if err := scim.CheckText(name, s, scim.MaxStringLength); err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	return nil
}

// checkRef answers ErrNotFound for a reference to a user, group or
// app that no object can have.
func checkRef(what, ref string) error {
	if scim.CheckIdentifier(what, ref) != nil {
		return fmt.Errorf("no %s by that name or id: %w", what, ErrNotFound)
	}
	return nil
}

// checkUser checks every string attribute of u.
func checkUser(u *directory.User) error {
	return checkAttrs(directory.UserCatalog, u, u.Extensions)
}

// checkGroup checks every string attribute of g but its members.
func checkGroup(g *directory.Group) error {
	return checkAttrs(directory.GroupCatalog, g, g.Extensions)
}

// checkAttrs checks the built-in string attributes of obj, identifiers
// and free text each to its limits, then its extensions.
func checkAttrs[T directory.Object](catalog []directory.Attribute[T], obj *T, ext map[string]string) error {
	for i := range catalog {
		a := &catalog[i]
		p, ok := a.Field(obj).(*string)
		if !ok {
			continue
		}
		check := checkText
		if a.Identifier {
			check = checkIdentifier
		}
		if err := check(a.Name, *p); err != nil {
			return err
		}
	}
	return checkExtensions(ext)
}

func checkExtensions(ext map[string]string) error {
	for name, v := range ext {
		if err := checkIdentifier("an extension attribute name", name); err != nil {
			return err
		}
		if err := checkText(name, v); err != nil {
			return err
		}
	}
	return nil
}
