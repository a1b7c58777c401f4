package dirsvc

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/source"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/scim"
)

// DefaultImportBatch is how many rows one import transaction writes.
const DefaultImportBatch = 1000

// DefaultMaxImportErrors is how many rejected rows an import reports in
// full when ImportOptions.MaxErrors is zero; the others are only counted,
// so a file of bad rows costs memory for that many, not for every row.
const DefaultMaxImportErrors = 100

// ImportOptions configure ImportUsers and Sync.
type ImportOptions struct {
	// BatchSize is the rows per transaction; <= 0 means DefaultImportBatch.
	BatchSize int
	// MaxErrors is how many rejected rows ImportResult.Errors keeps;
	// <= 0 means DefaultMaxImportErrors.
	MaxErrors int
	// Progress, if set, is called after every batch (and once at the end)
	// from the importing goroutine.
	Progress func(ImportProgress)
	// Update makes a record whose user exists (by objectId if the record
	// has one, else by userPrincipalName) update that user instead of
	// being rejected: the record's values are set as UpdateUser sets them
	// and the attributes it leaves out stay as they are (to clear one, use
	// UpdateUser). Such a record is written on its own, after the records
	// before it; a user changed by nothing is not written.
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

// RowError is a rejected record (a CSV row): nothing of it was written.
type RowError struct {
	Line int    // 1-based line number in the input (a CSV header is line 1)
	Err  error  // wraps ErrInvalid, ErrExists or ErrNotFound
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

// ImportUsers creates users from CSV (see source.OpenCSV for the file):
// it opens the registry's "csv" source over r and calls Sync. The error is
// for problems with the whole file (unreadable, a bad header) or the
// store; batches committed before it stay.
func (s *Service) ImportUsers(ctx context.Context, r io.Reader, opts ImportOptions) (ImportResult, error) {
	src, err := s.sources.Open("csv", r)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import users: %w", own(err))
	}
	res, err := s.sync(ctx, src, opts)
	if err != nil {
		return res, fmt.Errorf("import users: %w", own(err))
	}
	return res, nil
}

// Sync writes the users a source reads into the directory, the entry
// point every source writes through: each record creates one user (or,
// with opts.Update, updates the user that exists). A new user is built as
// NewUser and CreateUser build one: accountEnabled defaults to true;
// manager may be a UPN or ObjectID, of an existing user or of one created
// by an earlier record. A bad record (a malformed row, a bad value, a
// taken UPN or objectId, an unknown manager) is reported in the result
// with its line and nothing of it is written; the others are written, a
// batch per transaction. The error is for the source or the store;
// batches committed before it stay.
func (s *Service) Sync(ctx context.Context, src source.Reader, opts ImportOptions) (ImportResult, error) {
	res, err := s.sync(ctx, src, opts)
	if err != nil {
		return res, fmt.Errorf("sync users: %w", own(err))
	}
	return res, nil
}

func (s *Service) sync(ctx context.Context, src source.Reader, opts ImportOptions) (ImportResult, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultImportBatch
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxImportErrors
	}
	im := &importer{s: s, opts: opts, src: src, pending: pendingUsers{byUPN: map[string]string{}, ids: map[string]bool{}}}
	err := im.run(ctx)
	return im.res, err
}

type importer struct {
	s    *Service
	opts ImportOptions
	src  source.Reader
	res  ImportResult
	rows int

	batch   []directory.User
	lines   []int
	pending pendingUsers // the batch's users
}

func (im *importer) run(ctx context.Context) error {
	for {
		rec, err := im.src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		im.rows++
		if rec.Err != nil {
			im.reject(rec.Line, "", rec.Err)
			continue
		}
		if im.opts.Update {
			updated, err := im.update(ctx, rec)
			if err != nil {
				return err
			}
			if updated {
				continue
			}
		}
		u, err := newUser(rec.Attrs)
		if err == nil {
			err = im.s.prepareNew(ctx, &u, &im.pending)
		}
		if err != nil {
			im.reject(rec.Line, recordUPN(rec), err)
			continue
		}
		im.batch = append(im.batch, u)
		im.lines = append(im.lines, rec.Line)
		im.pending.add(&u)
		if len(im.batch) >= im.opts.BatchSize {
			if err := im.flush(ctx); err != nil {
				return err
			}
		}
	}
	return im.flush(ctx)
}

// recordUPN returns a record's userPrincipalName, if it has one.
func recordUPN(rec source.Record) string {
	upn, _ := rec.Get("userPrincipalName").(string)
	return upn
}

// update updates the existing user a record names, if there is one, after
// writing the records before it; updated reports whether the record was
// such a record (then its failure, if any, is recorded). err is the
// store's failure.
func (im *importer) update(ctx context.Context, rec source.Record) (updated bool, err error) {
	upn := recordUPN(rec)
	id, _ := rec.Get("objectId").(string)
	ref := id
	if ref == "" {
		ref = upn
	}
	if ref == "" || checkRef("user", ref) != nil {
		return false, nil // no user to find: the create path reports the record
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
	set := make(map[string]any, len(rec.Attrs))
	for _, a := range rec.Attrs {
		if a.Name != "objectId" {
			set[a.Name] = a.Value
		}
	}
	if _, err := im.s.UpdateUser(ctx, cur.ObjectID, set); err != nil {
		if svcerr.KindOf(err) == 0 { // not the record's fault
			return true, err
		}
		im.reject(rec.Line, upn, err)
		return true, nil
	}
	im.res.Updated++
	return true, nil
}

// reject records a rejected record: counted always, kept in full among the
// first opts.MaxErrors (with its userPrincipalName if that is one).
func (im *importer) reject(line int, upn string, err error) {
	im.res.Failed++
	if len(im.res.Errors) >= im.opts.MaxErrors {
		return
	}
	if scim.CheckIdentifier("", upn) != nil {
		upn = ""
	}
	im.res.Errors = append(im.res.Errors, RowError{Line: line, UPN: upn, Err: own(err)})
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
	im.pending.clear()
	if im.opts.Progress != nil {
		p := ImportProgress{Rows: im.rows, Imported: im.res.Imported, Updated: im.res.Updated, Failed: im.res.Failed}
		if br, ok := im.src.(interface{ BytesRead() int64 }); ok {
			p.BytesRead = br.BytesRead()
		}
		im.opts.Progress(p)
	}
	return nil
}
