package imap

import "github.com/emersion/go-sasl"

// xoauth2 is the SASL XOAUTH2 mechanism (Google, Microsoft), which go-sasl
// lacks: one initial response with the user and the bearer token. On
// failure the server sends a JSON challenge, answered with an empty
// response so that it then fails the command with NO.
type xoauth2 struct{ user, token string }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }

var _ sasl.Client = (*xoauth2)(nil)
