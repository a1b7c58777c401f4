package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/patch"
)

// addMembers puts members into a group (insert-or-ignore, O(1) per member
// in the group's size) and returns them in wire form, and how many were not
// members yet. A member must be a resource of the same tenant (else 400
// invalidValue); its type is that resource's type, whatever the client
// sent; display is kept as sent.
func addMembers(ctx context.Context, t tx, tenant, groupID string, members []scim.Member) (stored []any, added int64, err error) {
	out := make([]any, 0, len(members))
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		if seen[m.Value] {
			continue
		}
		seen[m.Value] = true
		var memberType string
		err := t.queryRow(ctx, "SELECT type FROM resources WHERE tenant_id = ? AND id = ?", tenant, m.Value).Scan(&memberType)
		if err != nil {
			if isNoRows(err) {
				return nil, 0, scim.Errorf(statusBadRequest, scim.ScimTypeInvalidValue, "member %q does not exist", m.Value)
			}
			return nil, 0, fmt.Errorf("look up member: %w", err)
		}
		display := sql.NullString{String: m.Display, Valid: m.Display != ""}
		n, err := affected(t.exec(ctx, "INSERT INTO members (tenant_id, group_id, member_id, member_type, display) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			tenant, groupID, m.Value, memberType, display))
		if err != nil {
			return nil, 0, fmt.Errorf("add member: %w", err)
		}
		added += n
		out = append(out, memberValue(m.Value, memberType, display.String))
	}
	return out, added, nil
}

// affected returns the rows a statement changed.
func affected(r sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// changeMembers applies a PATCH's net membership change (Reset, then
// Remove, then Add) and reports whether any row changed.
func changeMembers(ctx context.Context, t tx, tenant, groupID string, c *patch.MembersChange) (changed bool, err error) {
	var n int64
	if c.Reset {
		if n, err = affected(t.exec(ctx, "DELETE FROM members WHERE tenant_id = ? AND group_id = ?", tenant, groupID)); err != nil {
			return false, fmt.Errorf("reset members: %w", err)
		}
	}
	for _, id := range c.Remove {
		removed, err := affected(t.exec(ctx, "DELETE FROM members WHERE tenant_id = ? AND group_id = ? AND member_id = ?", tenant, groupID, id))
		if err != nil {
			return false, fmt.Errorf("remove member: %w", err)
		}
		n += removed
	}
	_, added, err := addMembers(ctx, t, tenant, groupID, c.Add)
	return n+added > 0, err
}

// memberValue is a member in wire form (RFC 7643 §4.2); $ref needs the
// base URL and is the handler's job.
func memberValue(id, memberType, display string) map[string]any {
	m := map[string]any{"value": id, "type": memberType}
	if display != "" {
		m["display"] = display
	}
	return m
}

// membersBatch bounds the ids per IN (...) list.
const membersBatch = 500

// loadMembers sets "members" on each resource that has any, with one
// query per batch of resources.
func loadMembers(ctx context.Context, q querier, tenant string, res []scim.Resource) error {
	for start := 0; start < len(res); start += membersBatch {
		batch := res[start:min(start+membersBatch, len(res))]
		byID := make(map[string]scim.Resource, len(batch))
		args := make([]any, 0, len(batch)+1)
		args = append(args, tenant)
		for _, r := range batch {
			id, _ := r["id"].(string)
			byID[id] = r
			args = append(args, id)
		}
		query := "SELECT group_id, member_id, member_type, display FROM members WHERE tenant_id = ? AND group_id IN (" +
			placeholders(len(batch)) + ") ORDER BY group_id, member_id"
		if err := scanMembers(ctx, q, query, args, byID); err != nil {
			return err
		}
	}
	return nil
}

func scanMembers(ctx context.Context, q querier, query string, args []any, byID map[string]scim.Resource) error {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("load members: %w", err)
	}
	defer rows.Close()
	lists := map[string][]any{}
	for rows.Next() {
		var group, member, memberType string
		var display sql.NullString
		if err := rows.Scan(&group, &member, &memberType, &display); err != nil {
			return fmt.Errorf("load members: %w", err)
		}
		lists[group] = append(lists[group], memberValue(member, memberType, display.String))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load members: %w", err)
	}
	for id, list := range lists {
		byID[id]["members"] = list
	}
	return nil
}

// placeholders returns "?, ?, ..." with n placeholders.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
