package ewsfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM is defined over MD4; this is a test fake
)

// NTLM (MS-NLMP) as IIS does it for the EWS virtual directory when only
// Windows authentication is enabled: a request without credentials gets
// 401 offering NTLM and Negotiate; the client sends a NEGOTIATE message,
// gets 401 with a CHALLENGE, and sends the request again with an
// AUTHENTICATE message carrying an NTLMv2 response. Authentication belongs
// to the TCP connection: later requests on it need no header.

// ntlmSignature starts every NTLM message.
var ntlmSignature = []byte("NTLMSSP\x00")

// Domain and host the fake's CHALLENGE names.
const (
	ntlmDomain   = "CONTOSO"
	ntlmComputer = "MAIL"
)

// connAuth is the NTLM state of one client connection.
type connAuth struct {
	challenge []byte // server challenge of the handshake in progress
	user      string // set once the connection is authenticated
}

type connKey struct{}

// withConnAuth gives every accepted connection its own NTLM state.
func withConnAuth(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connAuth{})
}

// RequireNTLM makes the fake accept NTLM only (Basic is refused, and a
// client sending a Basic password is reported), as an Exchange Server
// with Basic authentication disabled.
func (s *Server) RequireNTLM() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ntlm = true
}

// NTLMLogons is how many NTLM handshakes completed with the right password.
func (s *Server) NTLMLogons() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ntlmLogons
}

// authenticate checks the request's credentials and answers 401 itself
// when they are missing or wrong; true means the request may be served.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	if s.ntlm {
		return s.authenticateNTLM(w, r)
	}
	if user, pass, ok := r.BasicAuth(); ok && user == Username && pass == Password {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="mail.contoso.example"`)
	w.Header().Add("WWW-Authenticate", "NTLM")
	w.WriteHeader(http.StatusUnauthorized)
	return false
}

func (s *Server) authenticateNTLM(w http.ResponseWriter, r *http.Request) bool {
	conn, _ := r.Context().Value(connKey{}).(*connAuth)
	if conn == nil {
		conn = &connAuth{}
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case scheme == "":
		if conn.user != "" {
			return true
		}
	case strings.EqualFold(scheme, "Basic"):
		s.t.Errorf("ewsfake: Basic credentials sent to a server that offers only NTLM (the password went over the wire)")
	case strings.EqualFold(scheme, "NTLM") || strings.EqualFold(scheme, "Negotiate"):
		msg, err := base64.StdEncoding.DecodeString(token)
		if err != nil || len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
			s.t.Errorf("ewsfake: %s token is not an NTLM message", scheme)
			break
		}
		switch binary.LittleEndian.Uint32(msg[8:12]) {
		case 1: // NEGOTIATE: answer with a fresh challenge
			conn.user, conn.challenge = "", make([]byte, 8)
			_, _ = rand.Read(conn.challenge)
			w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(challengeMessage(conn.challenge)))
			w.WriteHeader(http.StatusUnauthorized)
			return false
		case 3: // AUTHENTICATE
			if conn.challenge == nil {
				s.t.Errorf("ewsfake: NTLM AUTHENTICATE without a NEGOTIATE on the same connection")
				break
			}
			user, err := verifyAuthenticate(msg, conn.challenge)
			conn.challenge = nil
			if err == nil {
				conn.user = user
				s.ntlmLogons++
				return true
			}
		default:
			s.t.Errorf("ewsfake: unexpected NTLM message type %d", binary.LittleEndian.Uint32(msg[8:12]))
		}
	}
	w.Header().Set("WWW-Authenticate", "NTLM")
	w.Header().Add("WWW-Authenticate", "Negotiate")
	w.WriteHeader(http.StatusUnauthorized)
	return false
}

// challengeMessage is a CHALLENGE (type 2) for NTLMv2 with target info,
// without key exchange or LM keys.
func challengeMessage(challenge []byte) []byte {
	const (
		unicode       = 0x00000001
		requestTarget = 0x00000004
		ntlm          = 0x00000200
		alwaysSign    = 0x00008000
		targetDomain  = 0x00010000
		extendedSec   = 0x00080000
		targetInfo    = 0x00800000
	)
	name := utf16le(ntlmDomain)
	stamp := make([]byte, 8)
	binary.LittleEndian.PutUint64(stamp, uint64(time.Now().UnixNano()/100)+116444736000000000)
	var info bytes.Buffer
	for _, av := range []struct {
		id    uint16
		value []byte
	}{{2, utf16le(ntlmDomain)}, {1, utf16le(ntlmComputer)}, {7, stamp}, {0, nil}} {
		_ = binary.Write(&info, binary.LittleEndian, av.id)
		_ = binary.Write(&info, binary.LittleEndian, uint16(len(av.value)))
		info.Write(av.value)
	}
	const headerLen = 48
	var b bytes.Buffer
	b.Write(ntlmSignature)
	_ = binary.Write(&b, binary.LittleEndian, uint32(2))
	writeVarField(&b, len(name), headerLen)
	_ = binary.Write(&b, binary.LittleEndian, uint32(unicode|requestTarget|ntlm|alwaysSign|targetDomain|extendedSec|targetInfo))
	b.Write(challenge)
	b.Write(make([]byte, 8))
	writeVarField(&b, info.Len(), headerLen+len(name))
	b.Write(name)
	b.Write(info.Bytes())
	return b.Bytes()
}

func writeVarField(b *bytes.Buffer, n, offset int) {
	_ = binary.Write(b, binary.LittleEndian, uint16(n))
	_ = binary.Write(b, binary.LittleEndian, uint16(n))
	_ = binary.Write(b, binary.LittleEndian, uint32(offset))
}

// verifyAuthenticate checks an AUTHENTICATE (type 3) message against the
// fake's account: user and domain of Username, and an NTLMv2 response
// computed from Password over the server challenge. It returns the user.
func verifyAuthenticate(msg, challenge []byte) (string, error) {
	field := func(at int) ([]byte, error) {
		if len(msg) < at+8 {
			return nil, errors.New("AUTHENTICATE message too short")
		}
		n, off := int(binary.LittleEndian.Uint16(msg[at:])), int(binary.LittleEndian.Uint32(msg[at+4:]))
		if off < 0 || off+n > len(msg) {
			return nil, errors.New("AUTHENTICATE field out of bounds")
		}
		return msg[off : off+n], nil
	}
	nt, err := field(20)
	if err != nil {
		return "", err
	}
	rawDomain, err := field(28)
	if err != nil {
		return "", err
	}
	rawUser, err := field(36)
	if err != nil {
		return "", err
	}
	domain, user := fromUTF16le(rawDomain), fromUTF16le(rawUser)
	wantDomain, wantUser, _ := strings.Cut(Username, `\`)
	if !strings.EqualFold(domain, wantDomain) || !strings.EqualFold(user, wantUser) {
		return "", errors.New("unknown account " + domain + `\` + user)
	}
	if len(nt) < 16+28 || nt[16] != 1 || nt[17] != 1 {
		return "", errors.New("not an NTLMv2 response")
	}
	h := md4.New()
	h.Write(utf16le(Password))
	key := hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
	if !hmac.Equal(hmacMD5(key, challenge, nt[16:]), nt[:16]) {
		return "", errors.New("wrong password")
	}
	return domain + `\` + user, nil
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func fromUTF16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
