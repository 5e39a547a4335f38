// Package secretbox keeps secrets that must leave a process's memory —
// groupware passwords typed in the browser, carried by a session row or a
// job — sealed with a key only gwsync's processes have, and derives the
// signing keys that web replicas must share (CSRF, known-device cookie).
//
// One master key (the file serve.secret_key_file names, the same on every
// replica and worker) yields one key per purpose, so that a value sealed
// for one use cannot be opened as another.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// MinKeyBytes is the shortest master key accepted: 256 bits.
const MinKeyBytes = 32

// sealedPrefix marks the format, so that a later one can be told apart.
const sealedPrefix = "v1."

// ErrOpen is wrapped when a sealed value cannot be opened: it was sealed
// with another key or for another purpose, or it was altered.
var ErrOpen = errors.New("secretbox: cannot open sealed value (another key or purpose, or altered)")

// Keyring holds a master key and the keys derived from it. Safe for
// concurrent use.
type Keyring struct {
	master []byte

	mu      sync.Mutex
	derived map[string][]byte
}

// NewKeyring uses master (at least MinKeyBytes) as the master key.
func NewKeyring(master []byte) (*Keyring, error) {
	if len(master) < MinKeyBytes {
		return nil, fmt.Errorf("secretbox: the key has %d bytes, want at least %d", len(master), MinKeyBytes)
	}
	return &Keyring{master: append([]byte(nil), master...), derived: map[string][]byte{}}, nil
}

// NewRandomKeyring is a keyring with a random key that lives only in this
// process: what it seals cannot be opened after a restart or elsewhere.
func NewRandomKeyring() *Keyring {
	k, err := NewKeyring(randomBytes(MinKeyBytes))
	if err != nil {
		panic(err)
	}
	return k
}

// LoadKeyFile reads a master key from path: base64 or hex text (as
// GenerateKeyFile writes it), or at least MinKeyBytes raw bytes. It
// refuses a file that group or others may read, as ssh does for its keys.
// Errors name the file.
func LoadKeyFile(path string) (*Keyring, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("secret key file %s: mode %04o lets others read it; chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	master := decodeKey(data)
	k, err := NewKeyring(master)
	if err != nil {
		return nil, fmt.Errorf("secret key file %s: %w", path, err)
	}
	return k, nil
}

// decodeKey reads the text forms first; anything else is the raw bytes.
func decodeKey(data []byte) []byte {
	text := strings.TrimSpace(string(data))
	if b, err := base64.StdEncoding.DecodeString(text); err == nil && len(b) >= MinKeyBytes {
		return b
	}
	if b, err := base64.RawURLEncoding.DecodeString(text); err == nil && len(b) >= MinKeyBytes {
		return b
	}
	if b, err := hex.DecodeString(text); err == nil && len(b) >= MinKeyBytes {
		return b
	}
	return data
}

// GenerateKeyFile writes a new random master key to path (mode 0600, as
// base64 text). It refuses to overwrite a file: replacing the key of a
// running deployment logs every browser out and makes sealed values
// unreadable.
func GenerateKeyFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("secret key file: %w", err)
	}
	text := base64.StdEncoding.EncodeToString(randomBytes(MinKeyBytes)) + "\n"
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("secret key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("secret key file %s: %w", path, err)
	}
	return nil
}

// Key returns the 32-byte key derived for purpose (HKDF-SHA256), the same
// on every process that loaded the same master key.
func (k *Keyring) Key(purpose string) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.derived[purpose]; ok {
		return key
	}
	key, err := hkdf.Key(sha256.New, k.master, nil, "gwsync secretbox "+purpose, 32)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce; 32 is not one
	}
	k.derived[purpose] = key
	return key
}

// Seal encrypts plain for purpose (AES-256-GCM under the purpose's key,
// the purpose also bound as associated data) and returns printable text.
func (k *Keyring) Seal(purpose string, plain []byte) (string, error) {
	aead, err := k.aead(purpose)
	if err != nil {
		return "", err
	}
	nonce := randomBytes(aead.NonceSize())
	out := aead.Seal(nonce, nonce, plain, []byte(purpose))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal returned for the same purpose. Errors wrap
// ErrOpen for a value sealed with another key or purpose, or altered.
func (k *Keyring) Open(purpose, sealed string) ([]byte, error) {
	body, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: not a sealed value", ErrOpen)
	}
	data, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOpen, err)
	}
	aead, err := k.aead(purpose)
	if err != nil {
		return nil, err
	}
	if len(data) < aead.NonceSize() {
		return nil, fmt.Errorf("%w: too short", ErrOpen)
	}
	plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

func (k *Keyring) aead(purpose string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.Key(purpose))
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return cipher.NewGCM(block)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return b
}
