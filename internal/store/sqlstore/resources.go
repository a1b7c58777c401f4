package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/patch"
)

// resources is the [backend.Backend] of a Store; each call acts on the
// tenant bound to its ctx.
type resources struct{ s *Store }

var _ backend.Backend = resources{}

// HTTP statuses of the *scim.Error values the store returns (this package
// must not import net/http).
const (
	statusBadRequest         = 400
	statusNotFound           = 404
	statusConflict           = 409
	statusPreconditionFailed = 412
)

// maxUpdateAttempts bounds the compare-and-swap retries of Update.
const maxUpdateAttempts = 20

func tenantOf(ctx context.Context) (string, error) {
	id, ok := store.TenantFrom(ctx)
	if !ok {
		return "", store.ErrNoTenant
	}
	return id, nil
}

// row is a stored resource.
type row struct {
	id       string
	doc      scim.Resource // without id, meta, members; nil until decoded
	body     string        // doc as stored (JSON)
	created  int64
	modified int64
	version  int64
}

// columns are the normalized columns derived from a document.
type columns struct {
	userName    sql.NullString
	externalID  sql.NullString
	displayName sql.NullString
	groupName   sql.NullString // displayName of groups, for the unique index
	active      sql.NullBool
}

func columnsOf(rt *scim.ResourceType, doc scim.Resource) columns {
	var c columns
	if v, ok := doc["userName"].(string); ok {
		c.userName = sql.NullString{String: strings.ToLower(v), Valid: true}
	}
	if v, ok := doc["externalId"].(string); ok {
		c.externalID = sql.NullString{String: v, Valid: true}
	}
	if v, ok := doc["displayName"].(string); ok {
		c.displayName = sql.NullString{String: strings.ToLower(v), Valid: true}
		if rt.HasMembers() { // a group's displayName is unique per tenant, as Entra requires
			c.groupName = c.displayName
		}
	}
	if v, ok := doc["active"].(bool); ok {
		c.active = sql.NullBool{Bool: v, Valid: true}
	}
	return c
}

// stripped returns a shallow copy of doc without the attributes the store
// owns or keeps elsewhere (id, meta, members).
func stripped(doc scim.Resource) scim.Resource {
	out := make(scim.Resource, len(doc))
	for k, v := range doc {
		switch k {
		case "id", "meta", "members":
			continue
		}
		out[k] = v
	}
	return out
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// etag renders a version as meta.version (RFC 7644 §3.14).
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// resource assembles the wire resource: the document plus id and meta
// (RFC 7643 §3.1). Location is the handler's job. doc is modified.
func (r row) resource(rt *scim.ResourceType) scim.Resource {
	doc := r.doc
	doc["id"] = r.id
	doc["meta"] = map[string]any{
		"resourceType": rt.Name,
		"created":      fromMillis(r.created).Format(timeLayout),
		"lastModified": fromMillis(r.modified).Format(timeLayout),
		"version":      etag(r.version),
	}
	return doc
}

// decode decodes the stored document into doc.
func (r *row) decode() error {
	if err := json.Unmarshal([]byte(r.body), &r.doc); err != nil {
		return fmt.Errorf("decode stored document %q: %w", r.id, err)
	}
	return nil
}

// raw returns the row as a resource whose attributes are still JSON.
func (r row) raw() backend.RawResource {
	return backend.RawResource{
		ID:           r.id,
		Attributes:   []byte(r.body),
		Created:      fromMillis(r.created).Format(timeLayout),
		LastModified: fromMillis(r.modified).Format(timeLayout),
		Version:      etag(r.version),
	}
}

// Create implements [backend.Backend].
func (b resources) Create(ctx context.Context, rt *scim.ResourceType, doc scim.Resource) (scim.Resource, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	members, err := membersOf(doc)
	if err != nil {
		return nil, err
	}
	uid, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("create %s: new id: %w", rt.Name, err)
	}
	r := row{id: uid.String(), doc: stripped(doc), version: 1}
	r.created = millis(b.s.now())
	r.modified = r.created
	body, err := scim.MarshalJSON(r.doc)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", rt.Name, err)
	}
	cols := columnsOf(rt, r.doc)
	if b.s.d.postgres && members == nil {
		r.body = string(body)
		err = b.s.pgw.create(ctx, tenant, rt, r, cols)
		if err != nil {
			return nil, wrapErr(err, "create %s", rt.Name)
		}
		b.s.noteCreate()
		return r.resource(rt), nil
	}
	var stored []any
	err = b.s.write(ctx, tenant, func(t tx) error {
		_, err := t.exec(ctx, `INSERT INTO resources (tenant_id, id, type, doc, user_name, external_id, display_name, group_name, active, created, modified, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant, r.id, rt.Name, string(body), cols.userName, cols.externalID, cols.displayName, cols.groupName, cols.active, r.created, r.modified, r.version)
		if err != nil {
			return uniquenessError(err, r.doc)
		}
		if members != nil {
			if stored, _, err = addMembers(ctx, t, tenant, r.id, members); err != nil {
				return err
			}
		}
		return appendEvent(ctx, t, tenant, rt.Name, r.id, store.OpCreate, r.modified)
	})
	if err != nil {
		return nil, wrapErr(err, "create %s", rt.Name)
	}
	b.s.noteCreate()
	res := r.resource(rt)
	if len(stored) > 0 {
		res["members"] = stored
	}
	return res, nil
}

// createOneStatement is a lone Create without members on PostgreSQL (see
// pgbatch.go): the feed lock, the insert and its event in one
// autocommitted statement (one round trip instead of five). The event's insert reads the lock's row, so its
// seq is drawn only once the lock is held.
func (b resources) createOneStatement(ctx context.Context, tenant string, rt *scim.ResourceType, r row, body string, cols columns) error {
	_, err := b.s.w.ExecContext(ctx, `WITH l AS (SELECT pg_advisory_xact_lock_shared($1, hashtext($2))),
		r AS (INSERT INTO resources (tenant_id, id, type, doc, user_name, external_id, display_name, group_name, active, created, modified, version)
			VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1))
		INSERT INTO events (tenant_id, resource_type, resource_id, op, time) SELECT $2, $4, $3, 'create', $11 FROM l`,
		lockEvents, tenant, r.id, rt.Name, body, cols.userName, cols.externalID, cols.displayName, cols.groupName, cols.active, r.created)
	return uniquenessError(err, r.doc)
}

// Get implements [backend.Backend].
func (b resources) Get(ctx context.Context, rt *scim.ResourceType, id string, opts backend.GetOptions) (scim.Resource, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	r, err := readCurrent(ctx, b.s, tenant, rt, id)
	if err != nil {
		return nil, wrapErr(err, "get %s %q", rt.Name, id)
	}
	res := r.resource(rt)
	if opts.Members {
		if err := loadMembers(ctx, b.s, tenant, []scim.Resource{res}); err != nil {
			return nil, wrapErr(err, "get %s %q", rt.Name, id)
		}
	}
	return res, nil
}

// readRow reads one resource; lock is appended to the query (FOR UPDATE).
func readRow(ctx context.Context, q querier, tenant string, rt *scim.ResourceType, id, lock string) (row, error) {
	r := row{id: id}
	err := q.queryRow(ctx, "SELECT doc, created, modified, version FROM resources WHERE tenant_id = ? AND id = ? AND type = ?"+lock,
		tenant, id, rt.Name).Scan(&r.body, &r.created, &r.modified, &r.version)
	if isNoRows(err) {
		return row{}, notFoundError(rt, id)
	}
	if err != nil {
		return row{}, err
	}
	if err := r.decode(); err != nil {
		return row{}, err
	}
	return r, nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func notFoundError(rt *scim.ResourceType, id string) error {
	return scim.Errorf(statusNotFound, "", "%s %q not found", rt.Name, id)
}

// Update implements [backend.Backend]. Change.Apply, the client's work
// (PATCH and PUT), always runs outside the write transaction: on SQLite it
// would hold the single writer of every tenant, on PostgreSQL the row lock.
// The write is a compare-and-swap on the version read, retried after a
// short random pause when a concurrent update won. A change without Apply
// (a membership change) runs no client work on the document, so it reads
// and writes in one transaction and never conflicts. A change that changes
// nothing, neither the document nor a membership row (RFC 7644 §3.5.2.1:
// an add of what is there), writes nothing: version and lastModified stay.
func (b resources) Update(ctx context.Context, rt *scim.ResourceType, id string, ifMatch string, change backend.Change, opts backend.GetOptions) (scim.Resource, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	for attempt := range maxUpdateAttempts {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
		}
		var res scim.Resource
		if change.Apply == nil {
			res, err = b.updateLocked(ctx, tenant, rt, id, ifMatch, change)
		} else {
			res, err = b.updateOptimistic(ctx, tenant, rt, id, ifMatch, change)
		}
		if errors.Is(err, errConflict) {
			continue
		}
		if err != nil {
			return nil, wrapErr(err, "update %s %q", rt.Name, id)
		}
		if opts.Members {
			if err := loadMembers(ctx, b.s, tenant, []scim.Resource{res}); err != nil {
				return nil, wrapErr(err, "update %s %q", rt.Name, id)
			}
		}
		return res, nil
	}
	return nil, scim.Errorf(statusConflict, "", "%s %q is being modified concurrently; retry", rt.Name, id)
}

// backoff pauses before the attempt-th try of a compare-and-swap, for a
// random time of up to attempt milliseconds (at most 10), so that writers
// that lost together do not collide again.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(min(attempt, 10))*int64(time.Millisecond)) + 1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// errConflict: the compare-and-swap lost against a concurrent update.
var errConflict = errors.New("concurrent update")

// updateOptimistic reads and applies the change outside the write
// transaction (decoding, Apply and encoding hold no lock and no writer)
// and writes with compare-and-swap on the version read.
func (b resources) updateOptimistic(ctx context.Context, tenant string, rt *scim.ResourceType, id, ifMatch string, change backend.Change) (scim.Resource, error) {
	cur, err := readCurrent(ctx, b.s, tenant, rt, id)
	if err != nil {
		return nil, err
	}
	prev := columnsOf(rt, cur.doc) // before Apply, which may modify cur.doc
	body := cur.body
	next, err := b.applyChange(rt, cur, ifMatch, change)
	if err != nil {
		return nil, err
	}
	if next.row.body == body {
		if change.Members != nil {
			return b.updateLocked(ctx, tenant, rt, id, ifMatch, backend.Change{Members: change.Members})
		}
		cur.doc = next.row.doc
		return cur.resource(rt), nil // nothing changed: nothing written
	}
	if b.s.d.postgres && change.Members == nil {
		err = b.s.pgw.update(ctx, tenant, rt, next.row, next.cols)
	} else {
		err = b.s.write(ctx, tenant, func(t tx) error {
			return writeUpdate(ctx, t, tenant, rt, prev, cur.version, next, change.Members)
		})
	}
	if err != nil {
		return nil, err
	}
	return next.row.resource(rt), nil
}

// updateLocked is the whole read-modify-write of a membership change
// (without Apply) inside the write transaction, the row locked on
// PostgreSQL (FOR UPDATE) and the single writer on SQLite, so it does not
// conflict. If no membership row changes (an add of members the group
// has), the resource keeps its version and lastModified.
func (b resources) updateLocked(ctx context.Context, tenant string, rt *scim.ResourceType, id, ifMatch string, change backend.Change) (scim.Resource, error) {
	var res scim.Resource
	err := b.s.write(ctx, tenant, func(t tx) error {
		cur, err := readRow(ctx, t, tenant, rt, id, b.s.d.forUpdate)
		if err != nil {
			return err
		}
		prev := columnsOf(rt, cur.doc)
		next, err := b.applyChange(rt, cur, ifMatch, backend.Change{})
		if err != nil {
			return err
		}
		changed := false
		if change.Members != nil {
			if changed, err = changeMembers(ctx, t, tenant, id, change.Members); err != nil {
				return err
			}
		}
		if !changed {
			res = cur.resource(rt)
			return nil
		}
		if err := writeUpdate(ctx, t, tenant, rt, prev, cur.version, next, nil); err != nil {
			return err
		}
		res = next.row.resource(rt)
		return nil
	})
	return res, err
}

// updated is a resource after a change, encoded for storage.
type updated struct {
	row  row // body is the new document, encoded
	cols columns
}

// applyChange checks If-Match against cur and computes the new row: the
// document Apply returns (without id, meta, members), a later
// lastModified and the next version.
func (b resources) applyChange(rt *scim.ResourceType, cur row, ifMatch string, change backend.Change) (updated, error) {
	if !matchesETag(ifMatch, cur.version) {
		return updated{}, scim.Errorf(statusPreconditionFailed, "", "%s %q has version %s, not %s", rt.Name, cur.id, etag(cur.version), ifMatch)
	}
	next := cur
	if change.Apply != nil {
		applied, err := change.Apply(cur.resource(rt))
		if err != nil {
			return updated{}, err
		}
		next.doc = stripped(applied)
	} else {
		next.doc = stripped(cur.doc)
	}
	next.modified = max(millis(b.s.now()), cur.modified)
	next.version = cur.version + 1
	body, err := scim.MarshalJSON(next.doc)
	if err != nil {
		return updated{}, fmt.Errorf("encode: %w", err)
	}
	next.body = string(body)
	return updated{row: next, cols: columnsOf(rt, next.doc)}, nil
}

// writeUpdate stores next if the stored version is still prev
// (compare-and-swap, else errConflict), applies the membership change and
// records the event. Only the normalized columns that changed from prev
// are written: an index whose columns are assigned is rewritten even when
// the value stays the same, and a typical PATCH (active, a name) changes
// none of the indexed ones.
func writeUpdate(ctx context.Context, t tx, tenant string, rt *scim.ResourceType, prev columns, prevVersion int64, next updated, members *patch.MembersChange) error {
	query, args := updateStatement(tenant, prev, prevVersion, next)
	result, err := t.exec(ctx, query, args...)
	if err != nil {
		return uniquenessError(err, next.row.doc)
	}
	if n, err := result.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errConflict
	}
	if members != nil {
		if _, err := changeMembers(ctx, t, tenant, next.row.id, members); err != nil {
			return err
		}
	}
	return appendEvent(ctx, t, tenant, rt.Name, next.row.id, store.OpUpdate, next.row.modified)
}

// updateStatement builds the compare-and-swap UPDATE of next, assigning
// the normalized columns that differ from prev only (at most 2^5 shapes,
// each a cached statement).
func updateStatement(tenant string, prev columns, prevVersion int64, next updated) (string, []any) {
	var b strings.Builder
	b.WriteString("UPDATE resources SET doc = ?, modified = ?, version = ?")
	args := make([]any, 0, 11)
	args = append(args, next.row.body, next.row.modified, next.row.version)
	c := next.cols
	for _, col := range []struct {
		name  string
		same  bool
		value any
	}{
		{"user_name", prev.userName == c.userName, c.userName},
		{"external_id", prev.externalID == c.externalID, c.externalID},
		{"display_name", prev.displayName == c.displayName, c.displayName},
		{"group_name", prev.groupName == c.groupName, c.groupName},
		{"active", prev.active == c.active, c.active},
	} {
		if !col.same {
			b.WriteString(", " + col.name + " = ?")
			args = append(args, col.value)
		}
	}
	b.WriteString(" WHERE tenant_id = ? AND id = ? AND version = ?")
	args = append(args, tenant, next.row.id, prevVersion)
	return b.String(), args
}

// matchesETag reports whether an If-Match header value ("" = no check,
// "*" = any, else a comma-separated list of entity tags, weak or strong)
// accepts version (RFC 7232 §3.1, RFC 7644 §3.14).
func matchesETag(ifMatch string, version int64) bool {
	ifMatch = strings.TrimSpace(ifMatch)
	if ifMatch == "" || ifMatch == "*" {
		return true
	}
	want := strconv.FormatInt(version, 10)
	for tag := range strings.SplitSeq(ifMatch, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if strings.Trim(tag, `"`) == want {
			return true
		}
	}
	return false
}

// Delete implements [backend.Backend]. It removes the resource, its
// memberships as group and as member, and records the event.
func (b resources) Delete(ctx context.Context, rt *scim.ResourceType, id string, ifMatch string) error {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	err = b.s.write(ctx, tenant, func(t tx) error {
		var version int64
		err := t.queryRow(ctx, "SELECT version FROM resources WHERE tenant_id = ? AND id = ? AND type = ?"+b.s.d.forUpdate,
			tenant, id, rt.Name).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return notFoundError(rt, id)
		}
		if err != nil {
			return err
		}
		if !matchesETag(ifMatch, version) {
			return scim.Errorf(statusPreconditionFailed, "", "%s %q has version %s, not %s", rt.Name, id, etag(version), ifMatch)
		}
		for _, q := range []string{
			"DELETE FROM resources WHERE tenant_id = ? AND id = ?",
			"DELETE FROM members WHERE tenant_id = ? AND group_id = ?",
			"DELETE FROM members WHERE tenant_id = ? AND member_id = ?",
		} {
			if _, err := t.exec(ctx, q, tenant, id); err != nil {
				return err
			}
		}
		return appendEvent(ctx, t, tenant, rt.Name, id, store.OpDelete, millis(b.s.now()))
	})
	return wrapErr(err, "delete %s %q", rt.Name, id)
}

func appendEvent(ctx context.Context, t tx, tenant, resourceType, id string, op store.Op, at int64) error {
	_, err := t.exec(ctx, "INSERT INTO events (tenant_id, resource_type, resource_id, op, time) VALUES (?, ?, ?, ?, ?)",
		tenant, resourceType, id, string(op), at)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	return nil
}

// uniquenessError turns a unique-index violation into the SCIM 409
// (RFC 7644 §3.3, §3.12 "uniqueness"); the detail names the attribute and
// the value the client sent, nothing stored.
func uniquenessError(err error, doc scim.Resource) error {
	constraint, ok := uniqueViolation(err)
	if !ok {
		return err
	}
	attr := "id"
	switch {
	case strings.Contains(constraint, "user_name"):
		attr = "userName"
	case strings.Contains(constraint, "group_name"):
		attr = "displayName"
	}
	if v, ok := doc[attr].(string); ok {
		return scim.Errorf(statusConflict, scim.ScimTypeUniqueness, "%s %q is already in use", attr, v)
	}
	return scim.Errorf(statusConflict, scim.ScimTypeUniqueness, "%s is already in use", attr)
}

// wrapErr adds context to internal errors; *scim.Error and application
// errors from Change.Apply pass unchanged.
func wrapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var se *scim.Error
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// membersOf extracts the "members" of a create request (RFC 7643 §4.2).
// nil means none were given.
func membersOf(doc scim.Resource) ([]scim.Member, error) {
	raw, ok := doc["members"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, scim.Errorf(statusBadRequest, scim.ScimTypeInvalidValue, "members must be an array")
	}
	out := make([]scim.Member, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, scim.Errorf(statusBadRequest, scim.ScimTypeInvalidValue, "each member must be an object")
		}
		v, ok := m["value"].(string)
		if !ok || v == "" {
			return nil, scim.Errorf(statusBadRequest, scim.ScimTypeInvalidValue, "each member needs a string value")
		}
		display, _ := m["display"].(string)
		out = append(out, scim.Member{Value: v, Display: display})
	}
	return out, nil
}
