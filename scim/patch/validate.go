package patch

import (
	"errors"

	"github.com/provisio-dev/provisio/scim"
)

// validate checks and coerces the result against the schema
// ([scim.ResourceType.Normalize]): required attributes, types, canonical
// spelling, "schemas" rebuilt from the extensions present. Read-only
// attributes (id, meta) are kept: they come from the stored resource.
func (a *applier) validate() (scim.Resource, error) {
	opts := a.opts.Normalize
	opts.KeepReadOnly = true
	out, err := a.rt.Normalize(a.doc, opts)
	if err != nil {
		var se *scim.Error
		if errors.As(err, &se) {
			return nil, &scim.Error{Status: se.Status, ScimType: se.ScimType, Detail: "result of the operations: " + se.Detail}
		}
		return nil, err
	}
	return out, nil
}

// ignoreUnknown reports whether paths naming unknown attributes are
// ignored (the default, as [scim.ResourceType.Normalize] drops unknown
// attributes) rather than rejected with 400 invalidPath. They are rejected
// with RejectUnknown, and with KeepUnknown too: unknown attributes of the
// resource then survive, and silently ignoring an operation on one would
// report a change that was never made.
func (a *applier) ignoreUnknown() bool {
	return !a.opts.Normalize.RejectUnknown && !a.opts.Normalize.KeepUnknown
}
