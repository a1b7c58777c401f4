package secretbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newBox(t *testing.T) (*Box, []byte) {
	t.Helper()
	key := make([]byte, KeySize)
	rand.Read(key)
	b, err := New(key)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return b, key
}

func TestRoundTrip(t *testing.T) {
	b, _ := newBox(t)
	tests := []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"token", []byte("secret-token-123"), []byte("app-1")},
		{"empty", []byte{}, nil},
		{"binary", []byte{0, 1, 2, 255}, []byte("x")},
	}
	for _, tc := range tests {
		ct, err := b.Seal(tc.plaintext, tc.ad)
		if err != nil {
			t.Fatalf("%s: Seal = %v", tc.name, err)
		}
		if len(tc.plaintext) > 0 && bytes.Contains(ct, tc.plaintext) {
			t.Errorf("%s: ciphertext contains the plaintext", tc.name)
		}
		got, err := b.Open(ct, tc.ad)
		if err != nil || !bytes.Equal(got, tc.plaintext) {
			t.Errorf("%s: Open(Seal(%q)) = %q, %v, want %q", tc.name, tc.plaintext, got, err, tc.plaintext)
		}
	}
	a, _ := b.Seal([]byte("same"), nil)
	c, _ := b.Seal([]byte("same"), nil)
	if bytes.Equal(a, c) {
		t.Error("Seal twice gave the same ciphertext, want a fresh nonce each time")
	}
}

func TestOpenFailures(t *testing.T) {
	b, _ := newBox(t)
	other, _ := newBox(t)
	ct, _ := b.Seal([]byte("secret-token"), []byte("app-1"))
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name string
		box  *Box
		ct   []byte
		ad   string
	}{
		{"wrong key", other, ct, "app-1"},
		{"other associated data", b, ct, "app-2"},
		{"tampered nonce", b, flip(1), "app-1"},
		{"tampered ciphertext", b, flip(1 + nonceSize), "app-1"},
		{"tampered tag", b, flip(len(ct) - 1), "app-1"},
		{"truncated", b, ct[:len(ct)-1], "app-1"},
		{"too short", b, ct[:5], "app-1"},
		{"empty", b, nil, "app-1"},
	}
	for _, tc := range tests {
		if got, err := tc.box.Open(tc.ct, []byte(tc.ad)); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: Open = %q, %v, want ErrDecrypt", tc.name, got, err)
		}
	}
	if _, err := b.Open(flip(0), []byte("app-1")); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("Open(unknown version) = %v, want a version error", err)
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New(%d-byte key) = nil error, want one", n)
		}
	}
}

func TestLoadKey(t *testing.T) {
	key := make([]byte, KeySize)
	rand.Read(key)
	enc := base64.StdEncoding.EncodeToString(key)

	t.Run("env wins", func(t *testing.T) {
		dir := t.TempDir()
		got, err := LoadKey(enc, dir)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("LoadKey(env) = %x, %v, want %x", got, err, key)
		}
		if _, err := os.Stat(filepath.Join(dir, KeyFile)); err == nil {
			t.Error("LoadKey(env) wrote a key file, want none")
		}
	})
	t.Run("bad env", func(t *testing.T) {
		for _, v := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
			if _, err := LoadKey(v, t.TempDir()); err == nil {
				t.Errorf("LoadKey(%q) = nil error, want one", v)
			}
		}
	})
	t.Run("generated file", func(t *testing.T) {
		dir := t.TempDir()
		first, err := LoadKey("", dir)
		if err != nil || len(first) != KeySize {
			t.Fatalf("LoadKey(first start) = %x, %v, want a new key", first, err)
		}
		fi, err := os.Stat(filepath.Join(dir, KeyFile))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode = %v, %v, want 0600", fi.Mode().Perm(), err)
		}
		again, err := LoadKey("", dir)
		if err != nil || !bytes.Equal(again, first) {
			t.Errorf("LoadKey(second start) = %x, %v, want the same key %x", again, err, first)
		}
	})
	t.Run("readable by others", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, KeyFile)
		if err := os.WriteFile(path, []byte(enc), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadKey("", dir); err == nil {
			t.Error("LoadKey(mode 0644 key file) = nil error, want refused")
		}
	})
	t.Run("no source", func(t *testing.T) {
		if _, err := LoadKey("", ""); err == nil {
			t.Error(`LoadKey("", "") = nil error, want one`)
		}
	})
}
