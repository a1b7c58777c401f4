package sealedcookie_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/sealedcookie"
	"github.com/provisio-dev/provisio/internal/secretbox"
)

func TestSealedCookie(t *testing.T) {
	box, err := secretbox.New(make([]byte, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jar := sealedcookie.Jar{Box: box, Now: func() time.Time { return now }}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "http://app.example/", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	if err := jar.Set(rec, req, "c", "/app/acme/", "acme", map[string]string{"u": "alice"}, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ck := rec.Result().Cookies()[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/app/acme/" || ck.MaxAge != 3600 || ck.Secure {
		t.Errorf("cookie = %+v, want HttpOnly, Lax, the path, Max-Age 3600, not Secure (http public URL, client's header ignored)", ck)
	}
	back := httptest.NewRequest(http.MethodGet, "http://app.example/", nil)
	back.AddCookie(ck)
	var v map[string]string
	if err := jar.Get(back, "c", "acme", &v); err != nil || v["u"] != "alice" {
		t.Errorf("Get = %v, %v, want alice", v, err)
	}
	if err := jar.Get(back, "c", "other", &v); err != sealedcookie.ErrInvalid {
		t.Errorf("Get with another binding = %v, want ErrInvalid", err)
	}
	renamed := *ck
	renamed.Name = "d"
	other := httptest.NewRequest(http.MethodGet, "http://app.example/", nil)
	other.AddCookie(&renamed)
	if err := jar.Get(other, "d", "acme", &v); err != sealedcookie.ErrInvalid {
		t.Errorf("Get of a cookie under another name = %v, want ErrInvalid", err)
	}
	for _, tt := range []struct {
		jar  sealedcookie.Jar
		tls  bool
		want bool
	}{{sealedcookie.Jar{Box: box, Now: jar.Now, Secure: true}, false, true}, {jar, true, true}} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "http://app.example/", nil)
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		tt.jar.Clear(rec, r, "c", "/")
		if got := rec.Result().Cookies()[0]; got.Secure != tt.want || got.MaxAge >= 0 {
			t.Errorf("Clear (public https %v, TLS %v) = %+v, want Secure %v and removed", tt.jar.Secure, tt.tls, got, tt.want)
		}
	}
}
