package provisioning

import (
	"encoding/hex"
	"time"
)

// linkEntry is a link as the LinkTable holds it: a fifth of a Link's
// size, so a table of 100,000 links stays near 10 MB (issue 15, "memory
// bounded by the batch"). The type and the source id are the table's
// keys; the hash, 32 hex digits when hashValues made it, is kept as its
// 16 bytes; the rarer parts (a failure awaiting retry, a state or hash of
// another form) sit behind a pointer that is nil for most links.
type linkEntry struct {
	target  string
	hash    [16]byte
	updated int64 // Unix nanoseconds; 0: zero time
	state   uint8 // stateOther: rare.state
	flags   uint8
	rare    *linkRare
}

// linkRare holds what few links have.
type linkRare struct {
	state        LinkState
	hash         string
	attempts     int
	nextRetry    time.Time
	lastError    string
	failedAction ActionKind
	sourceName   string
	updatedZone  *time.Location
}

const (
	stateNone uint8 = iota
	statePendingCreate
	stateActive
	stateDisabled
	stateOther
)

const (
	flagUnresolved uint8 = 1 << iota
	flagHash             // hash holds a hex hash
	flagZeroUpdated
	flagLocal // Updated was in time.Local
)

func packState(s LinkState) uint8 {
	switch s {
	case "":
		return stateNone
	case LinkPendingCreate:
		return statePendingCreate
	case LinkActive:
		return stateActive
	case LinkDisabled:
		return stateDisabled
	}
	return stateOther
}

// packLink returns l as the table holds it (without Written).
func packLink(l *Link) linkEntry {
	e := linkEntry{target: l.TargetID, state: packState(l.State)}
	var rare linkRare
	needRare := false
	if e.state == stateOther {
		rare.state, needRare = l.State, true
	}
	if l.Unresolved {
		e.flags |= flagUnresolved
	}
	if len(l.Hash) == 2*len(e.hash) && isLowerHex(l.Hash) {
		_, _ = hex.Decode(e.hash[:], []byte(l.Hash))
		e.flags |= flagHash
	} else if l.Hash != "" {
		rare.hash, needRare = l.Hash, true
	}
	if l.Updated.IsZero() {
		e.flags |= flagZeroUpdated
	} else {
		e.updated = l.Updated.UnixNano()
		if loc := l.Updated.Location(); loc == time.Local {
			e.flags |= flagLocal
		} else if loc != time.UTC {
			rare.updatedZone, needRare = loc, true
		}
	}
	if l.Attempts != 0 || !l.NextRetry.IsZero() || l.LastError != "" || l.FailedAction != "" || l.SourceName != "" {
		rare.attempts, rare.nextRetry, rare.lastError = l.Attempts, l.NextRetry, l.LastError
		rare.failedAction, rare.sourceName = l.FailedAction, l.SourceName
		needRare = true
	}
	if needRare {
		e.rare = &rare
	}
	return e
}

// link returns the entry as a Link of type t and source id id, without
// Written.
func (e *linkEntry) link(t ObjectType, id string) Link {
	l := Link{Type: t, SourceID: id, TargetID: e.target, Unresolved: e.flags&flagUnresolved != 0}
	switch e.state {
	case statePendingCreate:
		l.State = LinkPendingCreate
	case stateActive:
		l.State = LinkActive
	case stateDisabled:
		l.State = LinkDisabled
	}
	if e.flags&flagHash != 0 {
		l.Hash = hex.EncodeToString(e.hash[:])
	}
	if e.flags&flagZeroUpdated == 0 {
		l.Updated = time.Unix(0, e.updated)
		switch {
		case e.flags&flagLocal != 0:
			// time.Unix returns local time
		case e.rare != nil && e.rare.updatedZone != nil:
			l.Updated = l.Updated.In(e.rare.updatedZone)
		default:
			l.Updated = l.Updated.UTC()
		}
	}
	if r := e.rare; r != nil {
		if e.state == stateOther {
			l.State = r.state
		}
		if e.flags&flagHash == 0 {
			l.Hash = r.hash
		}
		l.Attempts, l.NextRetry, l.LastError = r.attempts, r.nextRetry, r.lastError
		l.FailedAction, l.SourceName = r.failedAction, r.sourceName
	}
	return l
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
