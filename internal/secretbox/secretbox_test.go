package secretbox

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpenAcrossProcessesWithOneKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	if err := GenerateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o", info.Mode().Perm())
	}
	a, err := LoadKeyFile(path) // replica A
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadKeyFile(path) // replica B, or a worker
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := a.Seal("typed-password", []byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "hunter2") {
		t.Fatalf("sealed value shows the secret: %s", sealed)
	}
	plain, err := b.Open("typed-password", sealed)
	if err != nil || string(plain) != "hunter2" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	if !bytes.Equal(a.Key("csrf"), b.Key("csrf")) {
		t.Fatal("replicas derive different CSRF keys from one file")
	}
	if bytes.Equal(a.Key("csrf"), a.Key("device-cookie")) {
		t.Fatal("two purposes share a key")
	}
	again, _ := a.Seal("typed-password", []byte("hunter2"))
	if again == sealed {
		t.Fatal("sealing twice gives the same text: the nonce is not random")
	}
}

func TestOpenRefusesOtherKeyPurposeOrAlteredValue(t *testing.T) {
	a, b := NewRandomKeyring(), NewRandomKeyring()
	sealed, err := a.Seal("job-secrets", []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	altered := []byte(sealed)
	altered[len(altered)-2] ^= 1
	for name, try := range map[string]func() ([]byte, error){
		"other key":     func() ([]byte, error) { return b.Open("job-secrets", sealed) },
		"other purpose": func() ([]byte, error) { return a.Open("typed-password", sealed) },
		"altered":       func() ([]byte, error) { return a.Open("job-secrets", string(altered)) },
		"not sealed":    func() ([]byte, error) { return a.Open("job-secrets", "s3cret") },
	} {
		if plain, err := try(); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open = %q, %v; want ErrOpen", name, plain, err)
		}
	}
}

func TestLoadKeyFileChecks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hexKey := strings.Repeat("ab", 32)
	if _, err := LoadKeyFile(write("hex.key", hexKey+"\n", 0o600)); err != nil {
		t.Errorf("hex key: %v", err)
	}
	if _, err := LoadKeyFile(write("raw.key", strings.Repeat("\x01", 40), 0o400)); err != nil {
		t.Errorf("raw key: %v", err)
	}
	_, err := LoadKeyFile(write("open.key", hexKey, 0o644))
	if err == nil || !strings.Contains(err.Error(), "open.key") || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key: %v", err)
	}
	_, err = LoadKeyFile(write("short.key", "c2hvcnQ=", 0o600))
	if err == nil || !strings.Contains(err.Error(), "short.key") {
		t.Errorf("short key: %v", err)
	}
	if _, err := LoadKeyFile(filepath.Join(dir, "missing.key")); err == nil || !strings.Contains(err.Error(), "missing.key") {
		t.Errorf("missing key: %v", err)
	}
	p := write("exists.key", hexKey, 0o600)
	if err := GenerateKeyFile(p); err == nil {
		t.Error("GenerateKeyFile overwrote an existing key")
	}
}
