package server

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkBulkCreate: one /Bulk request of 1,000 user creates shaped as
// the engine sends them (issue 15), over the memory backend, so that the
// figure is the Bulk path's own cost (decoding, running, answering), not
// a store's. Each op is one request into a fresh backend.
//
//	go test -run '^$' -bench BenchmarkBulkCreate -benchmem -count 6 ./scim/server/
func BenchmarkBulkCreate(b *testing.B) {
	const n = 1000
	var sb strings.Builder
	sb.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"method":"POST","path":"/Users","bulkId":"p%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],`+
			`"externalId":"user%d","userName":"user%d@example.com","active":true,"displayName":"User %d","name":{"givenName":"Given%d","familyName":"Family%d"},`+
			`"emails":[{"primary":true,"type":"work","value":"user%d@example.com"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"%d","department":"Sales"}}}`,
			i, i, i, i, i, i, i, i)
	}
	sb.WriteString(`]}`)
	body := sb.String()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		b.StartTimer()
		if w := f.do("POST", "/Bulk", body); w.Code != 200 || strings.Count(w.Body.String(), `"status":"201"`) != n {
			b.Fatalf("POST /Bulk = %d, want %d creates: %.300s", w.Code, n, w.Body)
		}
	}
}
