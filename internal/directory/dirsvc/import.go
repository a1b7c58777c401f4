package dirsvc

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
)

// DefaultImportBatch is how many rows one import transaction writes.
const DefaultImportBatch = 1000

// DefaultMaxImportErrors is how many rejected rows an import reports in
// full when ImportOptions.MaxErrors is zero; the others are only counted,
// so a file of bad rows costs memory for that many, not for every row.
const DefaultMaxImportErrors = 100

// ImportOptions configure ImportUsers.
type ImportOptions struct {
	// BatchSize is the rows per transaction; <= 0 means DefaultImportBatch.
	BatchSize int
	// MaxErrors is how many rejected rows ImportResult.Errors keeps;
	// <= 0 means DefaultMaxImportErrors.
	MaxErrors int
	// Progress, if set, is called after every batch (and once at the end)
	// from the importing goroutine.
	Progress func(ImportProgress)
	// Update makes a row whose user exists (by objectId if the row has
	// one, else by userPrincipalName) update that user instead of being
	// rejected: the row's non-empty cells are set as UpdateUser sets them
	// and its empty cells leave the attribute as it is (to clear one, use
	// UpdateUser). Such a row is written on its own, after the rows before
	// it; a user changed by nothing is not written.
	Update bool
}

// ImportProgress is the state of an import after a batch.
type ImportProgress struct {
	Rows      int   // data rows read so far
	Imported  int   // users created so far
	Updated   int   // existing users updated so far (ImportOptions.Update)
	Failed    int   // rows rejected so far
	BytesRead int64 // bytes of the CSV consumed so far (for a progress bar)
}

// RowError is a rejected CSV row: nothing of it was written.
type RowError struct {
	Line int    // 1-based line number in the file (the header is line 1)
	Err  error  // wraps store.ErrInvalid, ErrExists or ErrNotFound
	UPN  string // the row's userPrincipalName, if it had one
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// ImportResult summarizes an import.
type ImportResult struct {
	Imported int        `json:"imported"`
	Updated  int        `json:"updated"`
	Failed   int        `json:"failed"` // rows rejected, all of them
	Errors   []RowError `json:"-"`      // the first MaxErrors of them
}

// ImportUsers creates users from CSV: a header row of attribute names (as
// SetAttr takes them, plus objectId; userPrincipalName is required), then
// one user per row (or, with opts.Update, updates the users that exist). Empty cells leave an attribute unset; accountEnabled
// defaults to true; manager may be a UPN or ObjectID, of an existing user
// or of one created earlier in the same file. A bad row (wrong number of
// fields, a bad value, a taken UPN or objectId, an unknown manager) is
// reported in the result with its line number and nothing of it is written;
// the other rows are imported, a batch per transaction. The error is for
// problems with the whole file (unreadable, a bad header) or the store;
// batches committed before it stay.
func (s *Service) ImportUsers(ctx context.Context, r io.Reader, opts ImportOptions) (ImportResult, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultImportBatch
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxImportErrors
	}
	cr := &countingReader{r: r}
	im := &importer{s: s, opts: opts, cr: cr, csv: csv.NewReader(cr), batchUPN: map[string]string{}}
	im.csv.ReuseRecord = true
	if err := im.readHeader(); err != nil {
		return ImportResult{}, fmt.Errorf("import users: %w", err)
	}
	if err := im.run(ctx); err != nil {
		return im.res, fmt.Errorf("import users: %w", err)
	}
	return im.res, nil
}

type importer struct {
	s      *Service
	opts   ImportOptions
	cr     *countingReader
	csv    *csv.Reader
	header []string
	res    ImportResult
	rows   int

	batch     []directory.User
	lines     []int
	batchUPN  map[string]string // lower UPN -> ObjectID of the pending batch
	pendingID map[string]bool   // ObjectIDs of the pending batch
}

func (im *importer) readHeader() error {
	rec, err := im.csv.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("empty file: want a header row: %w", store.ErrInvalid)
	}
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	seen := map[string]bool{}
	hasUPN := false
	for i, name := range rec {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if !KnownAttr(name) {
			return fmt.Errorf("header column %d: unknown attribute %q: %w", i+1, name, store.ErrInvalid)
		}
		if seen[strings.ToLower(name)] {
			return fmt.Errorf("header column %d: duplicate attribute %q: %w", i+1, name, store.ErrInvalid)
		}
		seen[strings.ToLower(name)] = true
		hasUPN = hasUPN || strings.EqualFold(name, "userPrincipalName")
		im.header = append(im.header, name)
	}
	if !hasUPN {
		return fmt.Errorf("header has no userPrincipalName column: %w", store.ErrInvalid)
	}
	im.csv.FieldsPerRecord = len(rec)
	return nil
}

func (im *importer) run(ctx context.Context) error {
	im.pendingID = map[string]bool{}
	for {
		rec, err := im.csv.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			im.rows++
			im.reject(pe.StartLine, "", fmt.Errorf("%w: %w", pe.Err, store.ErrInvalid))
			continue
		case err != nil:
			return err
		}
		im.rows++
		line, _ := im.csv.FieldPos(0)
		if im.opts.Update {
			updated, err := im.update(ctx, line, rec)
			if err != nil {
				return err
			}
			if updated {
				continue
			}
		}
		u, err := im.user(ctx, rec)
		if err != nil {
			im.reject(line, u.UserPrincipalName, err)
			continue
		}
		im.batch = append(im.batch, u)
		im.lines = append(im.lines, line)
		im.batchUPN[strings.ToLower(u.UserPrincipalName)] = u.ObjectID
		im.pendingID[u.ObjectID] = true
		if len(im.batch) >= im.opts.BatchSize {
			if err := im.flush(ctx); err != nil {
				return err
			}
		}
	}
	return im.flush(ctx)
}

// user builds the row's user; the row's own problems are errors.
func (im *importer) user(ctx context.Context, rec []string) (directory.User, error) {
	u := directory.User{AccountEnabled: true}
	for i, v := range rec {
		v = strings.TrimSpace(v)
		name := im.header[i]
		switch {
		case v == "":
		case strings.EqualFold(name, "objectId"):
			if err := checkIdentifier("objectId", v); err != nil {
				return u, err
			}
			if _, err := uuid.Parse(v); err != nil {
				return u, fmt.Errorf("objectId %q is not a UUID: %w", v, store.ErrInvalid)
			}
			u.ObjectID = v
		default:
			if err := SetAttr(&u, name, v); err != nil {
				return u, err
			}
		}
	}
	if err := checkUser(&u); err != nil {
		return u, err
	}
	if err := validUPN(u.UserPrincipalName); err != nil {
		return u, err
	}
	if _, dup := im.batchUPN[strings.ToLower(u.UserPrincipalName)]; dup {
		return u, fmt.Errorf("userPrincipalName %q appears earlier in the file: %w", u.UserPrincipalName, store.ErrExists)
	}
	if u.ObjectID == "" {
		u.ObjectID = newID()
	} else if im.pendingID[u.ObjectID] {
		return u, fmt.Errorf("objectId %q appears earlier in the file: %w", u.ObjectID, store.ErrExists)
	}
	if u.Manager != "" {
		id, ok := im.batchUPN[strings.ToLower(u.Manager)]
		if !ok && im.pendingID[u.Manager] {
			id, ok = u.Manager, true
		}
		if ok {
			u.Manager = id
		} else if err := im.s.resolveManager(ctx, &u); err != nil {
			return u, err
		}
	}
	return u, nil
}

// update updates the existing user a row names, if there is one, after
// writing the rows before it; updated reports whether the row was such a
// row (then its failure, if any, is recorded). err is the store's failure.
func (im *importer) update(ctx context.Context, line int, rec []string) (updated bool, err error) {
	set := map[string]string{}
	upn, id := "", ""
	for i, v := range rec {
		v = strings.TrimSpace(v)
		name := im.header[i]
		switch {
		case v == "":
		case strings.EqualFold(name, "objectId"):
			id = v
		default:
			if strings.EqualFold(name, "userPrincipalName") {
				upn = v
			}
			set[name] = v
		}
	}
	ref := id
	if ref == "" {
		ref = upn
	}
	if ref == "" || checkRef("user", ref) != nil {
		return false, nil // no user to find: the create path reports the row
	}
	var cur directory.User
	if id != "" {
		cur, err = im.s.st.GetUser(ctx, id)
	} else {
		cur, err = im.s.st.GetUserByUPN(ctx, upn)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	if len(im.batch) > 0 {
		if err := im.flush(ctx); err != nil {
			return true, err
		}
	}
	if _, err := im.s.UpdateUser(ctx, cur.ObjectID, set); err != nil {
		if !errors.Is(err, store.ErrInvalid) && !errors.Is(err, store.ErrExists) && !errors.Is(err, store.ErrNotFound) {
			return true, err
		}
		im.reject(line, upn, err)
		return true, nil
	}
	im.res.Updated++
	return true, nil
}

// reject records a rejected row: counted always, kept in full among the
// first opts.MaxErrors (with its userPrincipalName if that is one).
func (im *importer) reject(line int, upn string, err error) {
	im.res.Failed++
	if len(im.res.Errors) >= im.opts.MaxErrors {
		return
	}
	if scim.CheckIdentifier("", upn) != nil {
		upn = ""
	}
	im.res.Errors = append(im.res.Errors, RowError{Line: line, UPN: upn, Err: err})
}

// flush writes the pending batch in one transaction.
func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) > 0 {
		errs, err := im.s.st.ImportUsers(ctx, im.batch)
		if err != nil {
			return err
		}
		for i, e := range errs {
			if e != nil {
				im.reject(im.lines[i], im.batch[i].UserPrincipalName, e)
			} else {
				im.res.Imported++
			}
		}
	}
	im.batch, im.lines = im.batch[:0], im.lines[:0]
	clear(im.batchUPN)
	clear(im.pendingID)
	if im.opts.Progress != nil {
		im.opts.Progress(ImportProgress{Rows: im.rows, Imported: im.res.Imported, Updated: im.res.Updated, Failed: im.res.Failed, BytesRead: im.cr.n})
	}
	return nil
}

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
