// Package portaltest is a tiny OpenID provider for tests of relying
// parties: discovery (OpenID Connect Discovery 1.0 §4), JWKS, an
// authorization endpoint that signs the configured claims in at once, and
// a token endpoint issuing RS256 ID tokens after checking the client and
// the PKCE verifier (RFC 7636 §4.6).
package portaltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// OP is a tiny OpenID provider for tests: discovery, JWKS, an authorization
// endpoint that signs in claims at once, and a token endpoint issuing an
// RS256 ID token after checking the PKCE verifier (RFC 7636 §4.6).
type OP struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	mu     sync.Mutex
	claims map[string]any // of the next sign-in
	codes  map[string]grant
	// nonce, when set, replaces the nonce of the request in the token.
	nonce string
}

type grant struct{ nonce, challenge, clientID string }

// NewOP starts an OP on the loopback; it stops when t ends.
func NewOP(t testing.TB) *OP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &OP{key: key, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		iss := op.srv.URL
		writeJSON(w, map[string]any{
			"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
			"jwks_uri": iss + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
			http.Error(w, "want state, nonce and PKCE S256", http.StatusBadRequest)
			return
		}
		code := rand.Text()
		op.mu.Lock()
		op.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), clientID: q.Get("client_id")}
		op.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if id == "" {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		op.mu.Lock()
		g, ok := op.codes[r.PostFormValue("code")]
		delete(op.codes, r.PostFormValue("code"))
		claims := map[string]any{}
		for k, v := range op.claims {
			claims[k] = v
		}
		nonce := op.nonce
		op.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if !ok || id != ClientID || secret != ClientSecret || g.clientID != id ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"error": "invalid_grant"})
			return
		}
		if nonce == "" {
			nonce = g.nonce
		}
		now := time.Now()
		claims["iss"], claims["aud"], claims["nonce"] = op.srv.URL, id, nonce
		claims["iat"], claims["exp"] = now.Unix(), now.Add(time.Hour).Unix()
		writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600,
			"id_token": op.sign(t, claims)})
	})
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *OP) sign(t testing.TB, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: op.key},
		(&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Error(err)
		return ""
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Error(err)
		return ""
	}
	s, _ := jws.CompactSerialize()
	return s
}

// SignInAs sets the claims of the ID tokens of the next sign-ins.
func (op *OP) SignInAs(claims map[string]any) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.claims = claims
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// URL is the issuer.
func (op *OP) URL() string { return op.srv.URL }

// Close stops the provider.
func (op *OP) Close() { op.srv.Close() }

// ForgeNonce makes the next ID tokens carry nonce instead of the
// request's ("" to stop).
func (op *OP) ForgeNonce(nonce string) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.nonce = nonce
}

// The only client the OP knows.
const (
	ClientID     = "client-1"
	ClientSecret = "s3cret"
)
