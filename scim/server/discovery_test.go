package server

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

func TestServiceProviderConfig(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.BulkMaxOperations = 50
		c.BulkMaxPayload = 4096
		c.MaxCount = 200
		c.DocumentationURI = "https://docs.example/scim"
	})
	for _, path := range []string{"/ServiceProviderConfig", "/serviceConfiguration", "/serviceproviderconfig/"} {
		t.Run(path, func(t *testing.T) {
			w := f.do("GET", path, "")
			if w.Code != 200 {
				t.Fatalf("GET %s = %d", path, w.Code)
			}
			m := decode(t, w)
			want := map[string]any{
				"/schemas/0":                           scim.SPConfigSchema,
				"/documentationUri":                    "https://docs.example/scim",
				"/patch/supported":                     true,
				"/bulk/supported":                      true,
				"/bulk/maxOperations":                  float64(50),
				"/bulk/maxPayloadSize":                 float64(4096),
				"/filter/supported":                    true,
				"/filter/maxResults":                   float64(200),
				"/sort/supported":                      true,
				"/etag/supported":                      true,
				"/changePassword/supported":            false,
				"/authenticationSchemes/0/type":        "oauthbearertoken",
				"/meta/resourceType":                   "ServiceProviderConfig",
				"/meta/location":                       "http://example.com/ServiceProviderConfig",
				"/authenticationSchemes/0/primary":     true,
				"/authenticationSchemes/0/specUri":     "https://www.rfc-editor.org/info/rfc6750",
				"/authenticationSchemes/0/name":        "OAuth Bearer Token",
				"/authenticationSchemes/0/description": "Authentication with the tenant's secret token in an Authorization: Bearer header",
			}
			for ptr, v := range want {
				if got, _ := at(m, ptr); got != v {
					t.Errorf("%s = %#v, want %#v", ptr, got, v)
				}
			}
		})
	}
}

func TestDiscoveryLists(t *testing.T) {
	f := newFixture(t)
	w := f.do("GET", "/scim/t1/v2/ResourceTypes", "")
	m := decode(t, w)
	checks := map[string]any{
		"/schemas/0":                             scim.ListResponseMessage,
		"/totalResults":                          float64(2),
		"/Resources/0/endpoint":                  "/Users",
		"/Resources/0/schemas/0":                 scim.ResourceTypeSchema,
		"/Resources/0/schema":                    scim.UserSchema,
		"/Resources/0/schemaExtensions/0/schema": scim.EnterpriseUserSchema,
		"/Resources/0/meta/location":             "http://example.com/scim/t1/v2/ResourceTypes/User",
		"/Resources/1/endpoint":                  "/Groups",
	}
	for ptr, v := range checks {
		if got, _ := at(m, ptr); got != v {
			t.Errorf("ResourceTypes %s = %#v, want %#v", ptr, got, v)
		}
	}
	w = f.do("GET", "/Schemas", "")
	if !strings.Contains(w.Body.String(), "User Account") {
		t.Errorf("/Schemas lacks the User schema description: %s", w.Body)
	}
	m = decode(t, w)
	if got, _ := at(m, "/totalResults"); got != float64(3) {
		t.Errorf("/Schemas totalResults = %v, want 3", got)
	}
	if got, _ := at(m, "/Resources/0/meta/location"); got != "http://example.com/Schemas/"+scim.UserSchema {
		t.Errorf("/Schemas meta.location = %v", got)
	}
	if got, _ := at(m, "/Resources/0/attributes/0/name"); got != "userName" {
		t.Errorf("/Schemas first User attribute = %v, want userName", got)
	}
}

// A resource type registered at run time gets its own endpoint.
func TestCustomResourceType(t *testing.T) {
	f := newFixture(t)
	reg := f.h.reg
	err := reg.AddSchema(&scim.Schema{ID: "urn:example:schemas:Device", Name: "Device", Attributes: []*scim.Attribute{
		{Name: "serial", Type: scim.TypeString, Required: true, Uniqueness: scim.UniquenessServer},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.AddResourceType(&scim.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: "urn:example:schemas:Device"}); err != nil {
		t.Fatal(err)
	}
	w := f.do("POST", "/devices", `{"serial":"SN-1"}`)
	if w.Code != 201 {
		t.Fatalf("POST /devices = %d %s", w.Code, w.Body)
	}
	id, _ := decode(t, w)["id"].(string)
	if loc := w.Header().Get("Location"); loc != "http://example.com/Devices/"+id {
		t.Errorf("Location = %q", loc)
	}
	w = f.do("GET", "/Devices?filter="+url.QueryEscape(`serial eq "SN-1"`), "")
	if got, _ := at(decode(t, w), "/totalResults"); got != float64(1) {
		t.Errorf("filter on custom type totalResults = %v, want 1", got)
	}
	wantError(t, f.do("POST", "/Devices", `{"serial":"SN-1"}`), 409, scim.ScimTypeUniqueness)
}

func TestPolicyPresetsAndJSON(t *testing.T) {
	for _, name := range []string{"default", "RFC", "entra", "Okta"} {
		p, ok := PolicyByName(name)
		if !ok {
			t.Errorf("PolicyByName(%q) not found", name)
			continue
		}
		if err := p.Validate(); err != nil {
			t.Errorf("PolicyByName(%q).Validate() = %v", name, err)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Policy
		if err := json.Unmarshal(b, &back); err != nil || back != p {
			t.Errorf("policy %q JSON round trip = %+v, %v; want %+v", name, back, err, p)
		}
	}
	if _, ok := PolicyByName("azure"); ok {
		t.Errorf(`PolicyByName("azure") found a preset`)
	}
	bad := []Policy{{PatchResponse: "201"}, {UnknownAttributes: "warn"}}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("Policy %+v validated, want an error", p)
		}
	}
	var p Policy
	if err := json.Unmarshal([]byte(`{"lenientFilters":true,"patchResponse":"204","valuePathUpsert":true,"unknownAttributes":"ignore"}`), &p); err != nil || p != PolicyEntra {
		t.Errorf("stored Entra policy decodes to %+v, %v; want %+v", p, err, PolicyEntra)
	}
}

func TestPolicyFromContext(t *testing.T) {
	f := newFixture(t) // Config.Policy: DefaultPolicy (lenient)
	send := func(ctx context.Context) int {
		r := httptest.NewRequest("GET", "/Users?filter="+url.QueryEscape("userName sw O"), nil).WithContext(ctx)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		return w.Code
	}
	if got := send(context.Background()); got != 200 {
		t.Errorf("unquoted filter with default policy = %d, want 200", got)
	}
	if got := send(WithPolicy(context.Background(), PolicyRFC)); got != 400 {
		t.Errorf("unquoted filter with PolicyRFC in context = %d, want 400", got)
	}
}
