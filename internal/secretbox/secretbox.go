// Package secretbox encrypts secrets at rest — the Secret Tokens of
// provisioning jobs — with AES-256-GCM (NIST SP 800-38D) and a random
// 96-bit nonce per message.
//
// The ciphertext format is versioned: one version byte (1), the 12-byte
// nonce, then the GCM sealed data (ciphertext and 16-byte tag). The
// associated data binds a ciphertext to its purpose (say, the job id), so
// a ciphertext copied to another row does not decrypt there.
//
// The key is 32 bytes: from PROVISIO_SECRET_KEY (standard base64), or else
// from the key file <data-dir>/secret.key (base64, one line), which
// [LoadKey] generates with mode 0600 on first start.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyEnv names the environment variable holding the base64 key.
const KeyEnv = "PROVISIO_SECRET_KEY"

// KeyFile is the key file's name in the data directory.
const KeyFile = "secret.key"

// KeySize is the key length: AES-256.
const KeySize = 32

const (
	version1  = 1
	nonceSize = 12
)

// ErrDecrypt is returned for a ciphertext that does not open: a wrong key,
// other associated data, or tampering.
var ErrDecrypt = errors.New("secretbox: message authentication failed")

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to ad (which may be nil).
func (b *Box) Seal(plaintext, ad []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+b.aead.Overhead())
	out[0] = version1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("secretbox: nonce: %w", err)
	}
	return b.aead.Seal(out, out[1:1+nonceSize], plaintext, ad), nil
}

// Open decrypts a ciphertext made by Seal with the same ad. Any failure to
// authenticate is ErrDecrypt.
func (b *Box) Open(ciphertext, ad []byte) ([]byte, error) {
	if len(ciphertext) < 1+nonceSize+b.aead.Overhead() {
		return nil, fmt.Errorf("%w: ciphertext too short", ErrDecrypt)
	}
	if ciphertext[0] != version1 {
		return nil, fmt.Errorf("secretbox: unknown ciphertext version %d", ciphertext[0])
	}
	pt, err := b.aead.Open(nil, ciphertext[1:1+nonceSize], ciphertext[1+nonceSize:], ad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// ParseKey decodes a base64 (standard or URL, padded or not) 32-byte key.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("secret key is %d bytes, want %d", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, errors.New("secret key is not base64")
}

// LoadKey returns the key from envValue (the value of PROVISIO_SECRET_KEY)
// when it is not empty, else from <dataDir>/secret.key, generating that
// file with a fresh random key (mode 0600) when it does not exist. A key
// file readable by group or others is refused.
func LoadKey(envValue, dataDir string) ([]byte, error) {
	if envValue != "" {
		k, err := ParseKey(envValue)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KeyEnv, err)
		}
		return k, nil
	}
	if dataDir == "" {
		return nil, fmt.Errorf("no %s and no data directory for %s", KeyEnv, KeyFile)
	}
	path := filepath.Join(dataDir, KeyFile)
	k, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeyFile(path)
	}
	return k, err
}

func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %v: want no access for group and others (chmod 600)", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// createKeyFile writes a new random key; O_EXCL makes a concurrent start
// read the winner's key instead of overwriting it.
func createKeyFile(path string) ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write key file: %w", werr)
	}
	return k, nil
}
