package credentials

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// jwt builds an unsigned compact JWS with the given claims.
func jwt(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("sig"))
}

func TestJWTExpiry(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		want        time.Time
		ok          bool
	}{
		{"exp", jwt(`{"sub":"x","exp":1800000000}`), time.Unix(1800000000, 0).UTC(), true},
		{"fractional exp", jwt(`{"exp":1800000000.5}`), time.Unix(1800000000, 5e8).UTC(), true},
		{"no exp", jwt(`{"sub":"x"}`), time.Time{}, false},
		{"exp not a number", jwt(`{"exp":"soon"}`), time.Time{}, false},
		{"opaque token", "s3cr3t-token-without-dots", time.Time{}, false},
		{"two parts", "a.b", time.Time{}, false},
		{"payload not base64", "a.!!!.c", time.Time{}, false},
		{"payload not json", "a." + base64.RawURLEncoding.EncodeToString([]byte("nope")) + ".c", time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := JWTExpiry(tc.token)
			if !got.Equal(tc.want) || ok != tc.ok {
				t.Errorf("JWTExpiry(%q) = %v, %v; want %v, %v", tc.token, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestOAuthValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      OAuth
		wantErr string // "" for valid
	}{
		{"https", OAuth{TokenURL: "https://login.example.com/oauth2/token", ClientID: "c", Scopes: []string{"scim.write", "api://x/.default"}}, ""},
		{"loopback http", OAuth{TokenURL: "http://127.0.0.1:8080/token", ClientID: "c"}, ""},
		{"localhost http", OAuth{TokenURL: "http://localhost:8080/token", ClientID: "c"}, ""},
		{"cleartext", OAuth{TokenURL: "http://login.example.com/token", ClientID: "c"}, "in clear"},
		{"no url", OAuth{ClientID: "c"}, "token url is required"},
		{"not http", OAuth{TokenURL: "ftp://x/token", ClientID: "c"}, "absolute https"},
		{"relative", OAuth{TokenURL: "/token", ClientID: "c"}, "absolute https"},
		{"userinfo", OAuth{TokenURL: "https://u:p@x/token", ClientID: "c"}, "must not contain credentials"},
		{"fragment", OAuth{TokenURL: "https://x/token#f", ClientID: "c"}, "fragment"},
		{"no client id", OAuth{TokenURL: "https://x/token"}, "client id is required"},
		{"scope with space", OAuth{TokenURL: "https://x/token", ClientID: "c", Scopes: []string{"a b"}}, "scope token"},
		{"empty scope", OAuth{TokenURL: "https://x/token", ClientID: "c", Scopes: []string{""}}, "scope token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Validate()
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("%+v.Validate() = %v, want error containing %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

// tokenEndpoint is an OAuth 2.0 token endpoint (RFC 6749 §4.4) that
// accepts client "c" with secret "s" and issues numbered tokens valid for
// expiresIn seconds.
type tokenEndpoint struct {
	*httptest.Server
	fetches   atomic.Int32
	expiresIn int
}

func newTokenEndpoint(t *testing.T, expiresIn int) *tokenEndpoint {
	te := &tokenEndpoint{expiresIn: expiresIn}
	te.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if id != "c" || secret != "s" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"bad secret"}`))
			return
		}
		n := te.fetches.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("tok-%d-%s", n, r.PostForm.Get("scope")),
			"token_type": "Bearer", "expires_in": te.expiresIn})
	}))
	t.Cleanup(te.Close)
	return te
}

// TestSource: the token is fetched once and cached while valid, fetched
// again once it expires, and a refusal names the RFC 6749 §5.2 code.
func TestSource(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		expiresIn   int
		secret      string
		calls       int
		wantFetches int32
		wantLast    string
		wantErr     string
	}{
		{"cached for an hour", 3600, "s", 3, 1, "tok-1-a b", ""},
		{"refreshed when expiring", 1, "s", 3, 3, "tok-3-a b", ""},
		{"wrong secret", 3600, "wrong", 2, 0, "", "oauth token endpoint refused the client credentials: invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			te := newTokenEndpoint(t, tc.expiresIn)
			src := NewSource(OAuth{TokenURL: te.URL, ClientID: "c", Scopes: []string{"a", "b"}}, tc.secret, nil)
			var last string
			var err error
			for range tc.calls {
				last, err = src.Token(ctx)
			}
			if got := te.fetches.Load(); got != tc.wantFetches || last != tc.wantLast {
				t.Errorf("after %d Token calls: %d fetches, last %q; want %d, %q", tc.calls, got, last, tc.wantFetches, tc.wantLast)
			}
			switch {
			case tc.wantErr == "" && (err != nil || src.Refused() != nil):
				t.Errorf("Token() = %v, Refused() = %v; want nil, nil", err, src.Refused())
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr || !errors.Is(err, ErrRefused) || src.Refused() == nil):
				t.Errorf("Token() = %v, Refused() = %v; want %q (ErrRefused)", err, src.Refused(), tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("Token() = %v: the error shows the secret", err)
			}
		})
	}
}

// TestSourceFailures: an unreachable endpoint or one that answers without
// a token is an error that is not a refusal.
func TestSourceFailures(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer broken.Close()
	for _, tc := range []struct{ name, url, want string }{
		{"unreachable", downURL + "/token", "oauth token endpoint " + downURL + "/token: "},
		{"server error", broken.URL + "/token", "answered HTTP 500 without a token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := NewSource(OAuth{TokenURL: tc.url, ClientID: "c"}, "s", nil)
			_, err := src.Token(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrRefused) || src.Refused() != nil {
				t.Errorf("Token() = %v, Refused() = %v; want an error containing %q, not a refusal", err, src.Refused(), tc.want)
			}
		})
	}
}

func TestStateWarnings(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	exp := now.Add(3 * 24 * time.Hour)
	type step struct {
		do      string // expiry, refused, ok
		at      time.Time
		wantNew bool
	}
	for _, tc := range []struct {
		name      string
		state     State
		steps     []step
		wantKinds []string
	}{
		{"far expiry", State{TokenExpiry: now.Add(30 * 24 * time.Hour)},
			[]step{{"expiry", now, false}}, nil},
		{"expiring once", State{TokenExpiry: exp},
			[]step{{"expiry", now, true}, {"expiry", now.Add(time.Hour), false}, {"expiry", now.Add(2 * time.Hour), false}}, []string{WarnExpiring}},
		{"expiring then expired", State{TokenExpiry: exp},
			[]step{{"expiry", now, true}, {"expiry", exp.Add(time.Second), true}, {"expiry", exp.Add(time.Hour), false}}, []string{WarnExpiring}},
		{"no expiry", State{}, []step{{"expiry", now, false}}, nil},
		{"refused before it ever worked", State{}, []step{{"refused", now, false}}, nil},
		{"refused after it worked, once", State{},
			[]step{{"ok", now, false}, {"refused", now, true}, {"refused", now.Add(time.Hour), false}}, []string{WarnRefused}},
		{"works again then refused again", State{},
			[]step{{"ok", now, false}, {"refused", now, true}, {"ok", now, false}, {"refused", now, true}}, []string{WarnRefused}},
		{"works again clears", State{Worked: true},
			[]step{{"refused", now, true}, {"ok", now, false}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.state
			for i, st := range tc.steps {
				var isNew bool
				switch st.do {
				case "expiry":
					_, isNew = s.CheckExpiry(st.at)
				case "refused":
					_, isNew = s.Refused("HTTP 401", st.at)
				case "ok":
					s.Succeeded()
				}
				if isNew != st.wantNew {
					t.Errorf("step %d (%s at %s): new = %v, want %v", i, st.do, st.at, isNew, st.wantNew)
				}
			}
			var kinds []string
			for _, w := range s.Warnings {
				kinds = append(kinds, w.Kind)
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tc.wantKinds) {
				t.Errorf("warnings = %v, want kinds %v", s.Warnings, tc.wantKinds)
			}
		})
	}
}

func TestNewState(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		want        time.Time
	}{
		{"jwt", jwt(`{"exp":1800000000}`), time.Unix(1800000000, 0).UTC()},
		{"opaque", "opaque", time.Time{}},
		{"oauth", "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewState(tc.token); !got.TokenExpiry.Equal(tc.want) || got.Worked || len(got.Warnings) > 0 {
				t.Errorf("NewState(%q) = %+v, want expiry %v and nothing else", tc.token, got, tc.want)
			}
		})
	}
}
