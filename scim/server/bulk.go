package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// bulkOp is one operation of a bulk request while it is being processed.
type bulkOp struct {
	in   scim.BulkOperation
	data any      // decoded data, bulkId references still unresolved
	refs []string // the bulkIds its path and data refer to
	done bool
}

// bulkBody is a scim.BulkRequest whose operations' data is decoded with
// the request, in one pass (the outer Data hides the embedded raw one).
type bulkBody struct {
	FailOnErrors int `json:"failOnErrors"`
	Operations   []struct {
		scim.BulkOperation
		Data any `json:"data"`
	} `json:"Operations"`
}

// bulkIDPrefix marks a reference to another operation's new resource
// (RFC 7644 §3.7.2).
const bulkIDPrefix = "bulkId:"

// bulk serves POST /Bulk (RFC 7644 §3.7). Operations run in order; an
// operation that references a bulkId whose POST has not run yet is
// deferred until it has, so clients may list operations in any order.
// References that never resolve (unknown bulkId, failed POST, or a cycle)
// fail that operation with 409. After failOnErrors errors the remaining
// operations are not run. Payloads over maxPayloadSize and requests with
// more than maxOperations operations are refused with 413.
func (q *request) bulk() {
	maxOps, maxSize := q.h.cfg.BulkMaxOperations, q.h.cfg.BulkMaxPayload
	b, err := q.readBody(maxSize)
	if err != nil {
		var se *scim.Error
		if errors.As(err, &se) && se.Status == http.StatusRequestEntityTooLarge {
			err = scim.Errorf(http.StatusRequestEntityTooLarge, "", "the size of the bulk operation exceeds the maxPayloadSize (%d)", maxSize)
		}
		q.fail(err)
		return
	}
	var req bulkBody
	if err := decodeJSON(b, &req); err != nil {
		q.fail(err)
		return
	}
	if len(req.Operations) > maxOps {
		q.fail(scim.Errorf(http.StatusRequestEntityTooLarge, "", "the number of operations (%d) exceeds the maxOperations (%d)", len(req.Operations), maxOps))
		return
	}
	ops := make([]*bulkOp, len(req.Operations))
	for i, in := range req.Operations {
		op := &bulkOp{in: in.BulkOperation, data: in.Data}
		op.refs = bulkRefs(op)
		ops[i] = op
	}
	resp := q.runBulk(ops, req.FailOnErrors)
	writeJSON(q.w, http.StatusOK, resp, "")
}

func (q *request) runBulk(ops []*bulkOp, failOnErrors int) scim.BulkResponse {
	ids := map[string]string{}  // bulkId -> new resource id
	failed := map[string]bool{} // bulkIds whose POST failed
	results := make([]*scim.BulkOperation, len(ops))
	q.baseURL() // computed once, before operations read it concurrently
	errs := 0
	stop := func() bool { return failOnErrors > 0 && errs >= failOnErrors }
	// Run the first operations that can run, again and again, so that
	// operations keep request order except where a reference forces a
	// wait. Without failOnErrors, the next run of independent operations
	// (see window) runs concurrently: a store that commits concurrent
	// writes together (sqlstore's group commit) then writes a batch of
	// creates in a few transactions instead of one each.
	for !stop() {
		next := q.window(ops, ids, failed, failOnErrors == 0)
		if len(next) == 0 {
			break
		}
		done := make([]bulkDone, len(next))
		if len(next) == 1 {
			done[0] = q.runBulkOp(ops[next[0]], ids)
		} else {
			var wg sync.WaitGroup
			for k, i := range next {
				wg.Go(func() { done[k] = q.runBulkOp(ops[i], ids) })
			}
			wg.Wait()
		}
		for k, i := range next {
			op, res := ops[i], done[k]
			op.done = true
			results[i] = res.op
			if st, _ := strconv.Atoi(res.op.Status); st >= 400 {
				errs++
				if op.in.BulkID != "" {
					failed[op.in.BulkID] = true
				}
			} else if res.created != "" {
				ids[op.in.BulkID] = res.created
			}
		}
	}
	out := scim.BulkResponse{Schemas: []string{scim.BulkResponseMessage}, Operations: []scim.BulkOperation{}}
	for i, op := range ops {
		switch {
		case results[i] != nil:
			out.Operations = append(out.Operations, *results[i])
		case !op.done && !stop():
			out.Operations = append(out.Operations, bulkError(op.in, scim.Errorf(http.StatusConflict, scim.ScimTypeInvalidValue, "bulkId references %s cannot be resolved", strings.Join(op.refs, ", "))))
		}
	}
	return out
}

// maxBulkWindow bounds the operations of one bulk request run at once.
const maxBulkWindow = 64

// window returns the operations to run next: the first that is not done
// and not blocked by a reference and, if parallel and it references no
// bulkId, the operations right after it with its method and no bulkId
// reference either, up to the first that touches a resource already in
// the window (the same path, or a POST with the same userName or
// displayName: the first of two such creates wins, as in sequence), and
// at most maxBulkWindow. Operations of one method on distinct resources
// do not depend on each other's order.
func (q *request) window(ops []*bulkOp, ids map[string]string, failed map[string]bool, parallel bool) []int {
	var out []int
	keys := map[string]bool{}
	for i, op := range ops {
		if op.done {
			continue
		}
		if len(out) == 0 {
			if blocked(op.refs, ids, failed) {
				continue
			}
			out = append(out, i)
			keys[bulkKey(op)] = true
			if !parallel || len(op.refs) > 0 {
				break
			}
			continue
		}
		k := bulkKey(op)
		if len(op.refs) > 0 || !strings.EqualFold(op.in.Method, ops[out[0]].in.Method) || keys[k] || len(out) == maxBulkWindow {
			break
		}
		keys[k] = true
		out = append(out, i)
	}
	return out
}

// bulkKey names what an operation changes, to keep two operations on the
// same resource (or two creates that may collide) in order.
func bulkKey(op *bulkOp) string {
	if !strings.EqualFold(op.in.Method, http.MethodPost) {
		return "path " + pathTail(op.in.Path)
	}
	if m, ok := op.data.(map[string]any); ok {
		for _, a := range []string{"userName", "displayName"} {
			if v, ok := m[a].(string); ok {
				return "name " + strings.ToLower(v)
			}
		}
	}
	return "post " + op.in.BulkID
}

// blocked reports whether an operation references a bulkId that has not
// been created yet and has not failed (so it may still resolve).
func blocked(refs []string, ids map[string]string, failed map[string]bool) bool {
	for _, r := range refs {
		if _, ok := ids[r]; !ok && !failed[r] {
			return true
		}
	}
	return false
}

// bulkRefs lists the bulkIds an operation's path and data refer to.
func bulkRefs(op *bulkOp) []string {
	var refs []string
	if i := strings.Index(op.in.Path, bulkIDPrefix); i >= 0 {
		refs = append(refs, strings.TrimSuffix(op.in.Path[i+len(bulkIDPrefix):], "/"))
	}
	walkStrings(op.data, func(s string) {
		if strings.HasPrefix(s, bulkIDPrefix) {
			refs = append(refs, s[len(bulkIDPrefix):])
		}
	})
	return refs
}

func walkStrings(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case map[string]any:
		for _, x := range v {
			walkStrings(x, fn)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, fn)
		}
	}
}

// resolveRefs replaces "bulkId:x" strings by the ids created for x; it
// reports the first reference that cannot be resolved.
func resolveRefs(v any, ids map[string]string) (any, string) {
	switch v := v.(type) {
	case string:
		if ref, ok := strings.CutPrefix(v, bulkIDPrefix); ok {
			id, ok := ids[ref]
			if !ok {
				return v, ref
			}
			return id, ""
		}
		return v, ""
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			y, bad := resolveRefs(x, ids)
			if bad != "" {
				return nil, bad
			}
			out[k] = y
		}
		return out, ""
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			y, bad := resolveRefs(x, ids)
			if bad != "" {
				return nil, bad
			}
			out[i] = y
		}
		return out, ""
	}
	return v, ""
}

func bulkError(in scim.BulkOperation, e *scim.Error) scim.BulkOperation {
	body, _ := json.Marshal(e)
	return scim.BulkOperation{Method: in.Method, BulkID: in.BulkID, Location: in.Location, Status: strconv.Itoa(e.Status), Response: body}
}

// bulkDone is a finished operation: its response entry and, for a POST
// that created a resource, the new id.
type bulkDone struct {
	op      *scim.BulkOperation
	created string
}

// runBulkOp runs one operation and returns its response entry. It only
// reads ids (operations of one window run concurrently).
func (q *request) runBulkOp(op *bulkOp, ids map[string]string) bulkDone {
	in := op.in
	fail := func(err error) bulkDone {
		e, fault := toSCIMError(err)
		if fault {
			q.h.log.ErrorContext(q.r.Context(), "scim: bulk operation failed", "method", in.Method, "path", in.Path, "err", err)
		}
		r := bulkError(in, e)
		return bulkDone{op: &r}
	}
	data := op.data
	if len(op.refs) > 0 { // resolveRefs copies the data
		var bad string
		if data, bad = resolveRefs(op.data, ids); bad != "" {
			return fail(scim.Errorf(http.StatusConflict, scim.ScimTypeInvalidValue, "bulkId %q did not create a resource", bad))
		}
	}
	path := in.Path
	if ref, ok := strings.CutPrefix(pathTail(path), bulkIDPrefix); ok {
		id, ok := ids[ref]
		if !ok {
			return fail(scim.Errorf(http.StatusConflict, scim.ScimTypeInvalidValue, "bulkId %q did not create a resource", ref))
		}
		path = path[:len(path)-len(pathTail(path))] + id
	}
	method := strings.ToUpper(in.Method)
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return fail(scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "unsupported bulk method %q; use POST, PUT, PATCH or DELETE", in.Method))
	}
	rt, id, err := q.bulkTarget(path)
	if err != nil {
		return fail(err)
	}
	switch {
	case method == http.MethodPost && id != "":
		return fail(scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidPath, "POST needs a path of the form /{Endpoint}, got %q", path))
	case method != http.MethodPost && id == "":
		return fail(scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidPath, "%s needs a path of the form /{Endpoint}/{id}, got %q", method, path))
	}
	ctx := q.r.Context()
	var res scim.Resource
	status := http.StatusOK
	switch method {
	case http.MethodPost:
		if in.BulkID == "" {
			return fail(scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "POST operations need a bulkId"))
		}
		var doc scim.Resource
		if doc, err = dataObject(data); err == nil {
			res, err = q.h.doCreate(ctx, rt, doc, q.pol)
		}
		status = http.StatusCreated
	case http.MethodPut:
		var doc scim.Resource
		if doc, err = dataObject(data); err == nil {
			res, err = q.h.doReplace(ctx, rt, id, in.Version, doc, q.pol, backend.GetOptions{})
		}
	case http.MethodPatch:
		var pr scim.PatchRequest
		if err = remarshal(data, &pr); err == nil {
			res, err = q.h.doPatch(ctx, rt, id, in.Version, pr.Operations, q.pol, backend.GetOptions{})
		}
	case http.MethodDelete:
		err = q.h.be.Delete(ctx, rt, id, in.Version)
		status = http.StatusNoContent
	}
	if err != nil {
		return fail(err)
	}
	out := &scim.BulkOperation{Method: in.Method, BulkID: in.BulkID, Status: strconv.Itoa(status)}
	if res != nil {
		newID, _ := res["id"].(string)
		id = newID
		out.Version = etagOf(res)
	}
	out.Location = location(q.baseURL(), rt, id)
	if method == http.MethodPost {
		return bulkDone{op: out, created: id}
	}
	return bulkDone{op: out}
}

// pathTail returns the last path segment.
func pathTail(p string) string {
	p = strings.TrimSuffix(p, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// bulkTarget resolves an operation path "/Users" or "/Users/{id}".
func (q *request) bulkTarget(path string) (*scim.ResourceType, string, error) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 2 || segs[0] == "" {
		return nil, "", scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidPath, "bulk path %q must be /{Endpoint} or /{Endpoint}/{id}", path)
	}
	rt, ok := q.h.reg.ResourceTypeByEndpoint(segs[0])
	if !ok {
		return nil, "", scim.Errorf(http.StatusNotFound, "", "no resource endpoint at %q", path)
	}
	if len(segs) == 2 {
		return rt, segs[1], nil
	}
	return rt, "", nil
}

func dataObject(v any) (scim.Resource, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "operation data must be a JSON object")
	}
	return m, nil
}

// remarshal converts decoded JSON into a message struct.
func remarshal(v any, out any) error {
	if v == nil {
		return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "operation data is missing")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "operation data: %v", err)
	}
	return decodeJSON(b, out)
}
