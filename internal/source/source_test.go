package source

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
)

func TestOpenCSV(t *testing.T) {
	r, err := Builtin().Open("csv", strings.NewReader("\ufeffUSERPRINCIPALNAME, Surname ,extension_x\r\na@x, Lee ,\nb@x\n"))
	if err != nil {
		t.Fatalf("Open(csv) = %v", err)
	}
	rec, err := r.Next()
	want := []Attr{{"userPrincipalName", "a@x"}, {"surname", "Lee"}}
	if err != nil || rec.Line != 2 || rec.Err != nil || !reflect.DeepEqual(rec.Attrs, want) {
		t.Errorf("Next() = %+v, %v; want line 2 %v", rec, err, want)
	}
	if rec, err := r.Next(); err != nil || rec.Line != 3 || !errors.Is(rec.Err, store.ErrInvalid) {
		t.Errorf("Next() = %+v, %v; want line 3 rejected as invalid", rec, err)
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("Next() at the end = %v, want io.EOF", err)
	}
}

func TestOpenCSVHeader(t *testing.T) {
	for _, in := range []string{"", "surname\n", "userPrincipalName,colour\n", "mail,MAIL,userPrincipalName\n"} {
		if _, err := OpenCSV(strings.NewReader(in)); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("OpenCSV(%q) = %v, want ErrInvalid", in, err)
		}
	}
}

func TestRegistryOpen(t *testing.T) {
	if _, err := Builtin().Open("ldap", strings.NewReader("")); err == nil || !strings.Contains(err.Error(), `no source "ldap" (have csv)`) {
		t.Errorf(`Open("ldap") = %v, want no source "ldap" (have csv)`, err)
	}
}
