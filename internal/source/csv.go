package source

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// OpenCSV opens a CSV file of users: a header row of attribute names
// (directory.LookupUser's, objectId included; userPrincipalName is
// required), then one user per row. Cells are trimmed; empty ones are
// left out of the record. A malformed row (wrong number of fields, a bare
// quote) is a record with Err wrapping store.ErrInvalid. The error is for
// the header: missing, unreadable, an unknown or duplicate name, no
// userPrincipalName.
func OpenCSV(in io.Reader) (Reader, error) {
	r := &csvReader{cr: &countingReader{r: in}}
	r.csv = csv.NewReader(r.cr)
	r.csv.ReuseRecord = true
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

type csvReader struct {
	cr     *countingReader
	csv    *csv.Reader
	header []string // catalog names of the columns
	attrs  []Attr
}

func (r *csvReader) readHeader() error {
	rec, err := r.csv.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("empty file: want a header row: %w", store.ErrInvalid)
	}
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	seen := map[string]bool{}
	for i, name := range rec {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		a, ok := directory.LookupUser(name)
		if !ok {
			return fmt.Errorf("header column %d: unknown attribute %q: %w", i+1, name, store.ErrInvalid)
		}
		if seen[strings.ToLower(name)] {
			return fmt.Errorf("header column %d: duplicate attribute %q: %w", i+1, name, store.ErrInvalid)
		}
		seen[strings.ToLower(name)] = true
		r.header = append(r.header, a.Name)
	}
	if !seen["userprincipalname"] {
		return fmt.Errorf("header has no userPrincipalName column: %w", store.ErrInvalid)
	}
	r.csv.FieldsPerRecord = len(rec)
	return nil
}

// Next implements [Reader].
func (r *csvReader) Next() (Record, error) {
	rec, err := r.csv.Read()
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return Record{Line: pe.StartLine, Err: fmt.Errorf("%w: %w", pe.Err, store.ErrInvalid)}, nil
	case err != nil:
		return Record{}, err
	}
	r.attrs = r.attrs[:0]
	for i, v := range rec {
		if v = strings.TrimSpace(v); v != "" {
			r.attrs = append(r.attrs, Attr{Name: r.header[i], Value: v})
		}
	}
	line, _ := r.csv.FieldPos(0)
	return Record{Line: line, Attrs: r.attrs}, nil
}

// BytesRead reports how much of the file has been consumed.
func (r *csvReader) BytesRead() int64 { return r.cr.n }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
