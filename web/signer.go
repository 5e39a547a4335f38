package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// signer makes and checks stateless tokens: a payload, an expiry and an
// HMAC-SHA256 over both and the token's purpose, so that a token made for
// one purpose (the login form) is worth nothing for another (a known
// device). Nothing is stored on the server.
type signer struct {
	key []byte
	now func() time.Time
}

// newSigner uses key, or 32 random bytes when key is empty: then every
// token dies with the process, like the sessions do.
func newSigner(key []byte) *signer {
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic("web: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
		}
	}
	return &signer{key: key, now: time.Now}
}

func (s *signer) mac(purpose, payload, expiry string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	m.Write([]byte{0})
	m.Write([]byte(expiry))
	return m.Sum(nil)
}

// sign returns a token for payload that verify accepts for ttl.
func (s *signer) sign(purpose, payload string, ttl time.Duration) string {
	exp := strconv.FormatInt(s.now().Add(ttl).Unix(), 10)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + exp + "." + enc.EncodeToString(s.mac(purpose, payload, exp))
}

// verify returns the payload of a token signed for purpose that has not
// expired.
func (s *signer) verify(purpose, token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(parts[0])
	sum, err2 := enc.DecodeString(parts[2])
	exp, err3 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return "", false
	}
	if !hmac.Equal(sum, s.mac(purpose, string(payload), parts[1])) || !s.now().Before(time.Unix(exp, 0)) {
		return "", false
	}
	return string(payload), true
}
