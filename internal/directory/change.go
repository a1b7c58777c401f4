package directory

import "time"

// Op is what a change did to its object.
type Op string

// Change operations.
const (
	OpCreate     Op = "create"
	OpUpdate     Op = "update"      // attributes, enabled state or group membership
	OpSoftDelete Op = "soft-delete" // moved to the recycle bin
	OpRestore    Op = "restore"     // restored from the recycle bin
	OpHardDelete Op = "hard-delete" // purged; the object no longer exists
	OpAssign     Op = "assign"      // an Assignment was added (ObjectID is the principal)
	OpUnassign   Op = "unassign"    // an Assignment was removed (ObjectID is the principal)
)

// Change is one record of the change feed. Seq is assigned by the store,
// strictly increasing in commit order, so "everything after Seq n" is a
// complete delta.
type Change struct {
	Seq      int64
	Time     time.Time
	Kind     Kind   // kind of ObjectID: user, group, app
	ObjectID string // the changed object (for assignments: the principal)
	Op       Op
	AppID    string // for OpAssign and OpUnassign
}
