package provisioning

import "github.com/provisio-dev/provisio/internal/provisioning/record"

// The records the engine writes are defined in package record, which the
// stores share; these names are the engine's for them.
type (
	ObjectType       = record.ObjectType
	Link             = record.Link
	LinkKey          = record.Key
	LinkState        = record.LinkState
	LogEntry         = record.LogEntry
	ActionKind       = record.ActionKind
	Status           = record.Status
	Step             = record.Step
	ModifiedProperty = record.ModifiedProperty
)

// Object types.
const (
	TypeUser  = record.TypeUser
	TypeGroup = record.TypeGroup
)

// Link states.
const (
	LinkPendingCreate = record.LinkPendingCreate
	LinkActive        = record.LinkActive
	LinkDisabled      = record.LinkDisabled
)

// Action kinds.
const (
	ActionCreate  = record.ActionCreate
	ActionUpdate  = record.ActionUpdate
	ActionDisable = record.ActionDisable
	ActionDelete  = record.ActionDelete
	ActionSkip    = record.ActionSkip
)

// Statuses.
const (
	StatusSuccess = record.StatusSuccess
	StatusFailure = record.StatusFailure
	StatusSkipped = record.StatusSkipped
	StatusWarning = record.StatusWarning
	StatusStaged  = record.StatusStaged
)

// Step names.
const (
	StepImport = record.StepImport
	StepScope  = record.StepScope
	StepMatch  = record.StepMatch
	StepAction = record.StepAction
)
