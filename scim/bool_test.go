package scim

import "testing"

func TestParseBool(t *testing.T) {
	tests := []struct {
		name, in string
		want     bool
		wantErr  bool
	}{
		{"true", "true", true, false},
		{"TrueMixedCase", "tRuE", true, false},
		{"t", "T", true, false},
		{"yes", "Yes", true, false},
		{"y", "y", true, false},
		{"on", "ON", true, false},
		{"one", "1", true, false},
		{"spaced", "  true\t", true, false},
		{"false", "FALSE", false, false},
		{"f", "f", false, false},
		{"no", "no", false, false},
		{"n", "N", false, false},
		{"off", "Off", false, false},
		{"zero", "0", false, false},
		{"empty", "", false, true},
		{"word", "maybe", false, true},
		{"two", "2", false, true},
		{"inner space", "t rue", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBool(tc.in)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("ParseBool(%q) = %v, %v, want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestBool(t *testing.T) {
	tests := []struct {
		name     string
		in       any
		want, ok bool
	}{
		{"jsonTrue", true, true, true},
		{"jsonFalse", false, false, true},
		{"entraTrue", "True", true, true},
		{"entraFalse", "False", false, true},
		{"upper", "TRUE", true, true},
		{"yesIsNotSCIM", "yes", false, false},
		{"oneIsNotSCIM", "1", false, false},
		{"tIsNotSCIM", "t", false, false},
		{"spacedIsNotSCIM", " true", false, false},
		{"number", 1.0, false, false},
		{"nil", nil, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Bool(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Bool(%#v) = %v, %v, want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
