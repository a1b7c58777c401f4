package directory

import "testing"

func TestLookupUser(t *testing.T) {
	tests := []struct {
		name     string
		want     string
		wantType Type
		wantOK   bool
	}{
		{"surname", "surname", String, true},
		{"USERPRINCIPALNAME", "userPrincipalName", String, true},
		{"accountenabled", "accountEnabled", Boolean, true},
		{"extension_costCenter", "extension_costCenter", String, true},
		{"extension_", "", "", false},
		{"colour", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := LookupUser(tt.name)
			if a.Name != tt.want || a.Type != tt.wantType || ok != tt.wantOK {
				t.Errorf("LookupUser(%q) = %q %q %v, want %q %q %v", tt.name, a.Name, a.Type, ok, tt.want, tt.wantType, tt.wantOK)
			}
		})
	}
}

func TestAttributeSet(t *testing.T) {
	tests := []struct {
		name    string
		attr    string
		value   any
		want    any
		wantErr bool
	}{
		{"string", "department", "Sales", "Sales", false},
		{"boolean", "accountEnabled", false, false, false},
		{"extension", "EXTENSION_old", "2", "2", false},
		{"string wants a string", "department", true, "", true},
		{"boolean wants a bool", "accountEnabled", "false", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &User{AccountEnabled: true, Extensions: map[string]string{"extension_old": "1"}}
			a, _ := LookupUser(tt.attr)
			err := a.Set(u, tt.value)
			if got, _ := a.Value(u); got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("Set(%q, %v) = %v, then Value = %v; want %v (error %v)", tt.attr, tt.value, err, got, tt.want, tt.wantErr)
			}
			if len(u.Extensions) != 1 {
				t.Errorf("Set(%q, %v): extensions %v, want one", tt.attr, tt.value, u.Extensions)
			}
		})
	}
}

// TestUserCatalogFields: every built-in attribute reaches a field of its
// type and has a store column.
func TestUserCatalogFields(t *testing.T) {
	var u User
	for _, a := range UserCatalog {
		switch a.Field(&u).(type) {
		case *string:
			if a.Type != String {
				t.Errorf("%s: a string field, type %q", a.Name, a.Type)
			}
		case *bool:
			if a.Type != Boolean {
				t.Errorf("%s: a bool field, type %q", a.Name, a.Type)
			}
		default:
			t.Errorf("%s: no field", a.Name)
		}
		if a.Column == "" {
			t.Errorf("%s: no column", a.Name)
		}
	}
}

// TestUserAttrHelp pins the CLI's attribute help, as written by hand
// before the catalog.
func TestUserAttrHelp(t *testing.T) {
	want := `Attributes (Entra's names): userPrincipalName, mail, mailNickname, displayName,
givenName, surname, jobTitle, department, employeeId, mobile, telephoneNumber,
streetAddress, postalCode, manager (the manager's userPrincipalName or object id),
accountEnabled (true/false); any other name is a free extension attribute.`
	if got := UserAttrHelp(82); got != want {
		t.Errorf("UserAttrHelp(82) = %q, want %q", got, want)
	}
}

func TestGroupCatalog(t *testing.T) {
	g := &Group{DisplayName: "Ops", Members: []Member{{ID: "u1", Kind: KindUser}}, Extensions: map[string]string{"extension_x": "1"}}
	tests := []struct {
		name   string
		want   any
		wantOK bool
	}{
		{"DISPLAYNAME", "Ops", true},
		{"description", "", false},
		{"extension_X", "1", true},
		{"colour", nil, false},
	}
	for _, tt := range tests {
		a, ok := LookupGroup(tt.name)
		var got any
		if ok {
			got, ok = a.Value(g)
		}
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("LookupGroup(%q).Value = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
	members, _ := LookupGroup("members")
	if ids, ok := members.Value(g); !members.Multi || !ok || len(ids.([]string)) != 1 {
		t.Errorf("members.Value = %v, %v; want [u1], multi-valued", ids, ok)
	}
	if err := members.Set(g, "u2"); err == nil {
		t.Errorf("members.Set() = nil, want an error: members are not set by name")
	}
}
