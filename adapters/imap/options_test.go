package imap

import (
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

func TestOptions(t *testing.T) {
	good := map[string]struct {
		opts              string
		addr, mode, after string
		folders           int
	}{
		"imaps default port": {`{"url":"imaps://mail.example.com","username":"a","password":"p"}`, "mail.example.com:993", TLSImplicit, AfterKeep, 1},
		"imap is starttls":   {`{"url":"imap://127.0.0.1","username":"a","password_file":"pw"}`, "127.0.0.1:143", TLSStartTLS, AfterKeep, 1},
		"explicit none":      {`{"url":"imap://127.0.0.1:1143","tls":"none","username":"a","oauth_token":"t","folders":["INBOX","Import Folder"]}`, "127.0.0.1:1143", TLSNone, AfterKeep, 2},
		"move":               {`{"url":"imaps://h","username":"a","password":"p","after_import":"move","move_to":"Done"}`, "h:993", TLSImplicit, AfterMove, 1},
	}
	for name, tc := range good {
		o, ep, err := parseOptions(adapters.Config{Options: json.RawMessage(tc.opts)})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if ep.addr != tc.addr || ep.mode != tc.mode || o.AfterImport != tc.after || len(o.Folders) != tc.folders {
			t.Errorf("%s: %+v %+v", name, ep, o)
		}
	}
	if o, _, _ := parseOptions(adapters.Config{Options: json.RawMessage(good["imaps default port"].opts)}); o.Folders[0] != DefaultFolder || o.Keyword != DefaultKeyword {
		t.Errorf("defaults: %+v", o)
	}
	for opts, want := range map[string]int64{
		`{"url":"imap://h","username":"a","password":"p"}`:                                                          0,
		`{"url":"imap://h","username":"a","password":"p","store_attachments":true}`:                                 DefaultAttachmentMaxBytes,
		`{"url":"imap://h","username":"a","password":"p","store_attachments":true,"attachment_max_bytes":33554432}`: MaxAttachmentMaxBytes,
	} {
		o, _, err := parseOptions(adapters.Config{Options: json.RawMessage(opts)})
		if err != nil || o.AttachmentMaxBytes != want {
			t.Errorf("%s: max %d, %v; want %d", opts, o.AttachmentMaxBytes, err, want)
		}
	}
	bad := map[string]string{
		"no url":            `{"username":"a","password":"p"}`,
		"http url":          `{"url":"http://h","username":"a","password":"p"}`,
		"imaps with none":   `{"url":"imaps://h","tls":"none","username":"a","password":"p"}`,
		"bad tls":           `{"url":"imap://h","tls":"maybe","username":"a","password":"p"}`,
		"no user":           `{"url":"imap://h","password":"p"}`,
		"two secrets":       `{"url":"imap://h","username":"a","password":"p","oauth_token":"t"}`,
		"folder+folders":    `{"url":"imap://h","username":"a","password":"p","folder":"x","folders":["y"]}`,
		"bad after":         `{"url":"imap://h","username":"a","password":"p","after_import":"delete"}`,
		"move without to":   `{"url":"imap://h","username":"a","password":"p","after_import":"move"}`,
		"move into read":    `{"url":"imap://h","username":"a","password":"p","after_import":"move","move_to":"Import Folder"}`,
		"unknown key":       `{"url":"imap://h","username":"a","password":"p","pasword":"x"}`,
		"max without store": `{"url":"imap://h","username":"a","password":"p","attachment_max_bytes":1000}`,
		"max above 32 MiB":  `{"url":"imap://h","username":"a","password":"p","store_attachments":true,"attachment_max_bytes":33554433}`,
		"negative max":      `{"url":"imap://h","username":"a","password":"p","store_attachments":true,"attachment_max_bytes":-1}`,
		"max as text":       `{"url":"imap://h","username":"a","password":"p","store_attachments":true,"attachment_max_bytes":"10MB"}`,
	}
	for name, opts := range bad {
		if _, _, err := parseOptions(adapters.Config{Options: json.RawMessage(opts)}); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
			t.Errorf("%s: %v, want InvalidConfig", name, err)
		}
	}
}
