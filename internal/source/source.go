// Package source is where identity sources plug in: connectors that read
// users from elsewhere (a CSV file now; LDAP and others next) as records
// of directory attributes (internal/directory's catalog), which the
// directory service writes through its one entry point, Sync.
//
// A [Registry] maps a source's name to its [Opener], as dex registers its
// connectors; internal/app wires it ([Builtin] plus whatever it adds) into
// the directory service.
package source

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Record is one user as a source reads it.
type Record struct {
	// Line is where the record starts in its input (1-based), for error
	// reports.
	Line int
	// Attrs are the record's attribute values, each name once and spelled
	// as the catalog does (directory.LookupUser(name).Name); empty values
	// are left out. The slice is the reader's, valid until the next call
	// of Next.
	Attrs []Attr
	// Err, if set, is why the record could not be read (a malformed row):
	// it is rejected, the reader goes on.
	Err error
}

// Attr is one attribute value of a record: a string, or a bool for a
// boolean attribute.
type Attr struct {
	Name  string
	Value any
}

// Get returns the value of the attribute name (spelled as the catalog
// does), or nil.
func (r *Record) Get(name string) any {
	for _, a := range r.Attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return nil
}

// Reader reads a source's records one at a time. Next returns io.EOF
// after the last one; any other error ends the read. A Reader may also
// report its progress by implementing interface{ BytesRead() int64 }.
type Reader interface {
	Next() (Record, error)
}

// Opener opens a source over its input: the file, for a file source.
type Opener func(in io.Reader) (Reader, error)

// Registry maps source names to their openers.
type Registry map[string]Opener

// Builtin returns a registry of the sources built into this package:
// "csv" ([OpenCSV]).
func Builtin() Registry {
	return Registry{"csv": OpenCSV}
}

// Open opens the source named name over in.
func (r Registry) Open(name string, in io.Reader) (Reader, error) {
	open, ok := r[name]
	if !ok {
		return nil, fmt.Errorf("no source %q (have %s)", name, strings.Join(slices.Sorted(maps.Keys(r)), ", "))
	}
	return open(in)
}
