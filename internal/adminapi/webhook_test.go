package adminapi

import (
	"strings"
	"testing"
)

func TestJobWebhook(t *testing.T) {
	f, _, _ := jobFixture(t)
	const secret = "hook-S3cret-MARKER"
	tests := []struct {
		name     string
		body     string
		status   int
		wantURL  any // nil: absent
		wantSet  bool
		errorHas string
	}{
		{name: "url without secret", body: `{"webhookUrl":"https://hooks.example.com/p"}`, status: 400, errorHas: "webhook secret"},
		{name: "set", body: `{"webhookUrl":"https://hooks.example.com/p","webhookSecret":"` + secret + `"}`, status: 200,
			wantURL: "https://hooks.example.com/p", wantSet: true},
		{name: "kept", body: `{"interval":"1m"}`, status: 200, wantURL: "https://hooks.example.com/p", wantSet: true},
		{name: "removed", body: `{"webhookUrl":""}`, status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.must(t, tc.status, "PUT", "/api/v1/apps/Portal/job", tc.body)
			if strings.Contains(r.raw, secret) {
				t.Errorf("PUT job %s = %s, shows the webhook secret", tc.body, r.raw)
			}
			if tc.errorHas != "" {
				if !strings.Contains(r.raw, tc.errorHas) {
					t.Errorf("PUT job %s = %s, want an error naming %q", tc.body, r.raw, tc.errorHas)
				}
				return
			}
			g := f.must(t, 200, "GET", "/api/v1/apps/Portal/job", "")
			if g.body["webhookUrl"] != tc.wantURL || g.body["webhookSecretSet"] != tc.wantSet || strings.Contains(g.raw, secret) {
				t.Errorf("GET job = %s, want webhookUrl %v, webhookSecretSet %v and no secret", g.raw, tc.wantURL, tc.wantSet)
			}
		})
	}
}
