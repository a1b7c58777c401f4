package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// writeRawList writes a ListResponse (RFC 7644 §3.4.2) of stored JSON
// documents: each gets its id and meta spliced in front of its stored
// attributes, without decoding and re-encoding them, which is most of the
// cost of the `userName eq` lookups that Entra and Okta send before every
// write. A document the default projection would change (one holding a
// password, say) takes the ordinary way through render.
func (q *request) writeRawList(rt *scim.ResourceType, pg backend.Page, start int, p projection) {
	size := 128
	for _, r := range pg.Raw {
		size += len(r.Attributes) + 384
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	b.WriteString(`{"schemas":[`)
	writeJSONString(b, scim.ListResponseMessage)
	b.WriteString(`],"totalResults":`)
	b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(pg.Total), 10))
	b.WriteString(`,"startIndex":`)
	b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(start), 10))
	b.WriteString(`,"itemsPerPage":`)
	b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(len(pg.Raw)), 10))
	b.WriteString(`,"Resources":[`)
	for i, r := range pg.Raw {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := q.appendRaw(b, rt, r, p); err != nil {
			q.fail(err)
			return
		}
	}
	b.WriteString("]}")
	hdr := q.w.Header()
	hdr.Set("Content-Type", contentType)
	hdr.Set("Content-Length", strconv.Itoa(b.Len()))
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write(b.Bytes())
}

// rawMeta is the meta a response adds to a stored document (RFC 7643
// §3.1).
type rawMeta struct {
	Created, LastModified, Location, ResourceType, Version string
}

// writeHead writes `{"id":…,"meta":{…}` (no closing brace), meta's fields in
// the order encoding/json gives a map's keys, as on the ordinary way.
func writeHead(b *bytes.Buffer, id string, m rawMeta) {
	for _, f := range [...]struct{ sep, v string }{
		{`{"id":`, id}, {`,"meta":{"created":`, m.Created}, {`,"lastModified":`, m.LastModified},
		{`,"location":`, m.Location}, {`,"resourceType":`, m.ResourceType}, {`,"version":`, m.Version},
	} {
		b.WriteString(f.sep)
		writeJSONString(b, f.v)
	}
	b.WriteByte('}')
}

// writeJSONString writes s as a JSON string, as encoding/json does.
func writeJSONString(b *bytes.Buffer, s string) {
	b.Write(scim.AppendJSONString(b.AvailableBuffer(), s))
}

// appendRaw appends one resource of a raw page to b.
func (q *request) appendRaw(b *bytes.Buffer, rt *scim.ResourceType, r backend.RawResource, p projection) error {
	attrs := bytes.TrimSpace(r.Attributes)
	meta := rawMeta{
		Created:      r.Created,
		LastModified: r.LastModified,
		Location:     location(q.baseURL(), rt, r.ID),
		ResourceType: rt.Name,
		Version:      r.Version,
	}
	if len(attrs) < 2 || attrs[0] != '{' || !rt.DefaultViewUnchanged(attrs) {
		var doc scim.Resource
		if err := json.Unmarshal(attrs, &doc); err != nil || doc == nil {
			return fmt.Errorf("scim: stored document of %s %q is not a JSON object: %v", rt.Name, r.ID, err)
		}
		doc["id"] = r.ID
		doc["meta"] = map[string]any{"created": meta.Created, "lastModified": meta.LastModified, "resourceType": meta.ResourceType, "version": meta.Version}
		enc, err := json.Marshal(q.render(rt, doc, p))
		if err != nil {
			return fmt.Errorf("scim: encode %s %q: %w", rt.Name, r.ID, err)
		}
		b.Write(enc)
		return nil
	}
	writeHead(b, r.ID, meta)
	if rest := bytes.TrimSpace(attrs[1:]); rest[0] != '}' {
		b.WriteByte(',')
	}
	b.Write(attrs[1:])
	return nil
}
