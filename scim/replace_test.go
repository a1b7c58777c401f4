package scim

import "testing"

func TestReplace(t *testing.T) {
	const current = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],
		"id":"u1","externalId":"e1","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","version":"W/\"3\""},
		"userName":"bjensen","nickName":"Babs","password":"secret","groups":[{"value":"g1","display":"Admins"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"value":"m1","displayName":"Boss"}},
		"urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1","level":2}}`
	const kept = `"id":"u1","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","version":"W/\"3\""},"password":"secret","groups":[{"value":"g1","display":"Admins"}]`
	const all = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"]`
	tests := []struct {
		name        string
		replacement string
		want        string
		wantType    string
		wantDetail  string
	}{
		{
			name: "readOnly kept, readWrite replaced, omitted cleared",
			replacement: `{"id":"other","meta":{"version":"W/\"9\""},"groups":[],"userName":"bjensen2",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}},
				"urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1"}}`,
			want: `{` + all + `,` + kept + `,"userName":"bjensen2",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1","displayName":"Boss"}},
				"urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1"}}`,
		},
		{
			name: "full-object PUT of what GET returned (Okta)",
			replacement: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","meta":{"resourceType":"User"},
				"userName":"bjensen","nickName":"Barb","groups":[{"value":"g1","display":"Admins"}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"value":"m1","displayName":"Boss"}},
				"urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1","level":2}}`,
			want: `{` + all + `,` + kept + `,"userName":"bjensen","nickName":"Barb",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"value":"m1","displayName":"Boss"}},
				"urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1","level":2}}`,
		},
		{
			name:        "immutable omitted is kept, manager omitted is cleared",
			replacement: `{"userName":"bjensen"}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],` + kept + `,"userName":"bjensen",
				"urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1"}}`,
		},
		{
			name:        "immutable sent in another case (caseExact false)",
			replacement: `{"userName":"bjensen","urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"b-1"}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],` + kept + `,"userName":"bjensen",
				"urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1"}}`,
		},
		{
			name:        "immutable changed",
			replacement: `{"userName":"bjensen","urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-2"}}`,
			wantType:    ScimTypeMutability,
			wantDetail:  `attribute "urn:example:scim:schemas:extension:custom:2.0:User:badgeId" is immutable`,
		},
		{
			name:        "writeOnly sent is replaced",
			replacement: `{"userName":"bjensen","password":"new"}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:scim:schemas:extension:custom:2.0:User"],
				"id":"u1","meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","version":"W/\"3\""},"groups":[{"value":"g1","display":"Admins"}],
				"userName":"bjensen","password":"new","urn:example:scim:schemas:extension:custom:2.0:User":{"badgeId":"B-1"}}`,
		},
		{
			name:        "required missing",
			replacement: `{"nickName":"x"}`,
			wantType:    ScimTypeInvalidValue,
			wantDetail:  `attribute "userName" is required`,
		},
		{
			name:        "invalid value",
			replacement: `{"userName":"bjensen","active":"maybe"}`,
			wantType:    ScimTypeInvalidValue,
			wantDetail:  `attribute "active" must be a boolean`,
		},
	}
	rt := resourceType(t, testRegistry(t), "User")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := decode(t, current)
			repl := decode(t, tc.replacement)
			got, err := rt.Replace(cur, repl, NormalizeOptions{})
			if encode(t, cur) != canonJSON(t, current) {
				t.Errorf("Replace modified current: %s", encode(t, cur))
			}
			if tc.want == "" {
				wantError(t, "Replace("+tc.replacement+")", err, tc.wantType, tc.wantDetail)
				return
			}
			if err != nil {
				t.Fatalf("Replace(%s) error = %v", tc.replacement, err)
			}
			if g, w := encode(t, got), canonJSON(t, tc.want); g != w {
				t.Errorf("Replace(%s)\n = %s\nwant %s", tc.replacement, g, w)
			}
			// The result shares nothing with current.
			got["meta"].(map[string]any)["version"] = "changed"
			if encode(t, cur) != canonJSON(t, current) {
				t.Errorf("Replace result aliases current")
			}
		})
	}
}

func TestReplaceGroupMembers(t *testing.T) {
	rt := resourceType(t, testRegistry(t), "Group")
	cur := decode(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G","members":[{"value":"u1"},{"value":"u2"}]}`)
	got, err := rt.Replace(cur, decode(t, `{"displayName":"G2","members":[{"value":"u3","type":"User"}]}`), NormalizeOptions{})
	if err != nil {
		t.Fatalf("Replace(group) error = %v", err)
	}
	want := canonJSON(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G2","members":[{"value":"u3","type":"User"}]}`)
	if g := encode(t, got); g != want {
		t.Errorf("Replace(group) = %s, want %s", g, want)
	}
}

func TestEqualValue(t *testing.T) {
	caseless := &Attribute{Name: "a", Type: TypeString}
	exact := &Attribute{Name: "a", Type: TypeString, CaseExact: true}
	when := &Attribute{Name: "a", Type: TypeDateTime}
	multi := &Attribute{Name: "a", Type: TypeString, MultiValued: true}
	complexAttr := &Attribute{Name: "c", Type: TypeComplex, SubAttributes: []*Attribute{{Name: "v", Type: TypeString}}}
	tests := []struct {
		name string
		attr *Attribute
		x, y any
		want bool
	}{
		{"caseExact false", caseless, "Abc", "aBC", true},
		{"caseExact true", exact, "Abc", "aBC", false},
		{"dateTime instants", when, "2020-01-01T00:00:00Z", "2020-01-01T01:00:00.000+01:00", true},
		{"dateTime differ", when, "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", false},
		{"multi-valued in any order", multi, []any{"a", "b"}, []any{"B", "a"}, true},
		{"multi-valued lengths", multi, []any{"a"}, []any{"a", "a"}, false},
		{"complex", complexAttr, map[string]any{"v": "X"}, map[string]any{"v": "x"}, true},
		{"complex differ", complexAttr, map[string]any{"v": "X"}, map[string]any{"v": "y"}, false},
		{"numbers", &Attribute{Type: TypeDecimal}, 1.5, 1.5, true},
		{"booleans", &Attribute{Type: TypeBoolean}, true, false, false},
		{"containers never panic", caseless, map[string]any{}, map[string]any{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := equalValue(tc.attr, tc.x, tc.y); got != tc.want {
				t.Errorf("equalValue(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
			}
		})
	}
}
