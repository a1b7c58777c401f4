package client

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// Quirks adapts the client to one target's deviations from RFC 7644: one
// capability profile per target instead of special cases in the engine.
//
// Implemented:
//   - PatchNotSupported: the target has no PATCH (e.g. PUT-only targets
//     such as vCenter); [Client.Patch] reads the resource, applies the
//     operations locally (scim/patch.Apply with the resource types of
//     [WithRegistry]; attributes the registry does not know are kept as
//     read) and PUTs the result.
//   - ActiveAsString: "active" is sent as the string "True"/"False"
//     instead of a JSON boolean, as Entra ID does by default.
//   - MaxMembersPerPatch: at most this many group members are added or
//     removed per PATCH request (AWS IAM Identity Center: 100); larger
//     member changes are split over several requests. It does not apply
//     with PatchNotSupported, whose PUT carries the whole member list.
//
// Future (not yet implemented): a page-size cap for List (AWS ListUsers
// returns at most 50; [Client.All] already pages correctly), targets
// without filtered member removal (members[value eq "..."]), targets
// without /ServiceProviderConfig, POST /.search instead of GET queries,
// and If-Match versioning.
type Quirks struct {
	PatchNotSupported  bool
	ActiveAsString     bool
	MaxMembersPerPatch int
}

// outgoing returns res as it should be sent; it never modifies res.
func (q Quirks) outgoing(res scim.Resource) scim.Resource {
	if !q.ActiveAsString {
		return res
	}
	if b, ok := res["active"].(bool); ok {
		res = maps.Clone(res)
		res["active"] = activeString(b)
	}
	return res
}

func activeString(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// outgoingOps rewrites boolean "active" values in PATCH operations, both
// path "active" and path-less operations whose value object has "active".
func (q Quirks) outgoingOps(ops []scim.PatchOperation) []scim.PatchOperation {
	if !q.ActiveAsString {
		return ops
	}
	out := make([]scim.PatchOperation, len(ops))
	for i, op := range ops {
		out[i] = op
		switch {
		case strings.EqualFold(op.Path, "active"):
			var b bool
			if json.Unmarshal(op.Value, &b) == nil {
				out[i].Value, _ = json.Marshal(activeString(b))
			}
		case op.Path == "":
			var obj map[string]any
			if json.Unmarshal(op.Value, &obj) == nil {
				if b, ok := obj["active"].(bool); ok {
					obj["active"] = activeString(b)
					out[i].Value, _ = json.Marshal(obj)
				}
			}
		}
	}
	return out
}

// memberCount is the number of members an operation adds or removes: the
// length of a "members" value array, 1 for a filtered "members[...]" path.
func memberCount(op scim.PatchOperation) (n int, list []json.RawMessage) {
	p := strings.ToLower(op.Path)
	switch {
	case p == "members":
		if json.Unmarshal(op.Value, &list) == nil {
			return len(list), list
		}
		return 1, nil
	case strings.HasPrefix(p, "members["):
		return 1, nil
	}
	return 0, nil
}

// chunkMembers splits ops into batches that each add or remove at most
// max members. A "members" operation with more values is split; a split
// replace becomes a replace with the first chunk followed by adds, which
// has the same effect.
func chunkMembers(ops []scim.PatchOperation, limit int) ([][]scim.PatchOperation, error) {
	var batches [][]scim.PatchOperation
	var cur []scim.PatchOperation
	count := 0
	flush := func() {
		if len(cur) > 0 {
			batches = append(batches, cur)
		}
		cur, count = nil, 0
	}
	push := func(op scim.PatchOperation, n int) {
		if count+n > limit {
			flush()
		}
		cur = append(cur, op)
		count += n
	}
	for _, op := range ops {
		n, list := memberCount(op)
		if n <= limit {
			push(op, n)
			continue
		}
		for start := 0; start < len(list); start += limit {
			part := op
			if start > 0 && strings.EqualFold(op.Op, "replace") {
				part.Op = "add"
			}
			chunk := list[start:min(start+limit, len(list))]
			v, err := json.Marshal(chunk)
			if err != nil {
				return nil, fmt.Errorf("split members: %w", err)
			}
			part.Value = v
			push(part, len(chunk))
		}
	}
	flush()
	return batches, nil
}
