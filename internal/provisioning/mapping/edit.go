package mapping

import (
	"fmt"
	"strings"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// Of returns the type mapping of typ (User or Group).
func (m *Mappings) Of(typ provisioning.ObjectType) (*TypeMapping, error) {
	switch typ {
	case provisioning.TypeUser:
		return &m.Users, nil
	case provisioning.TypeGroup:
		return &m.Groups, nil
	}
	return nil, fmt.Errorf("object type %q: want %s or %s", typ, provisioning.TypeUser, provisioning.TypeGroup)
}

// Set adds a, or replaces the mapping of its target (matched
// case-insensitively, as SCIM attribute names are) in place; replaced
// says which.
func (t *TypeMapping) Set(a AttributeMapping) (replaced bool) {
	if i := t.index(a.Target); i >= 0 {
		t.Attributes[i] = a
		return true
	}
	t.Attributes = append(t.Attributes, a)
	return false
}

// Remove removes the mapping of target (case-insensitively); false if
// there is none.
func (t *TypeMapping) Remove(target string) bool {
	i := t.index(target)
	if i < 0 {
		return false
	}
	t.Attributes = append(t.Attributes[:i:i], t.Attributes[i+1:]...)
	return true
}

func (t *TypeMapping) index(target string) int {
	for i, a := range t.Attributes {
		if strings.EqualFold(a.Target, target) {
			return i
		}
	}
	return -1
}
