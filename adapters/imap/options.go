package imap

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/netx"
)

// DefaultFolder is the folder read when the options name none.
const DefaultFolder = "Import Folder"

// DefaultKeyword is the keyword after_import: flag sets.
const DefaultKeyword = "$Imported"

// TLS modes.
const (
	TLSImplicit = "implicit" // imaps, port 993
	TLSStartTLS = "starttls" // imap + STARTTLS, port 143
	TLSNone     = "none"     // plaintext: only when written explicitly
)

// After-import actions.
const (
	AfterKeep = "keep"
	AfterFlag = "flag"
	AfterMove = "move"
)

// Options of the imap adapter, as written under `options:` in the YAML.
type Options struct {
	// URL is imaps://host[:993] (implicit TLS) or imap://host[:143]
	// (STARTTLS unless tls says none).
	URL string `json:"url"`
	// TLS overrides the mode the URL implies: implicit, starttls or none.
	TLS      string `json:"tls"`
	Username string `json:"username"`
	// Exactly one of Password, PasswordFile and OAuthToken is set.
	// PasswordFile is read on connect (trailing newline dropped).
	Password     string `json:"password"`
	PasswordFile string `json:"password_file"`
	// OAuthToken is a bearer token sent with AUTHENTICATE XOAUTH2.
	OAuthToken string `json:"oauth_token"`
	// Folder or Folders name what is read; default "Import Folder".
	Folder  string   `json:"folder"`
	Folders []string `json:"folders"`
	// AfterImport is keep (default), flag or move.
	AfterImport string `json:"after_import"`
	// Keyword is set by after_import: flag. Default $Imported.
	Keyword string `json:"keyword"`
	// MoveTo is the target folder of after_import: move.
	MoveTo string `json:"move_to"`
	// CAFile is a PEM bundle trusted in addition to the system roots
	// (netx.RootCAs: the one meaning in every adapter).
	CAFile string `json:"ca_file"`
	// StoreAttachments makes the content of attachments of at most
	// AttachmentMaxBytes (decoded) go into the CRM with the activity,
	// fetched one by one when the activity is created. Off by default:
	// only the list (name, type, size) is stored.
	StoreAttachments bool `json:"store_attachments"`
	// AttachmentMaxBytes bounds the attachments stored; default
	// DefaultAttachmentMaxBytes, at most MaxAttachmentMaxBytes.
	AttachmentMaxBytes int64 `json:"attachment_max_bytes"`
	// Timeout bounds connecting and the implicit TLS handshake (default
	// "15s"); StallTimeout how long the server may stay silent while an
	// answer is due: the greeting, a command's first byte, and between
	// two bytes of an answer (default "60s"). A long FETCH that keeps
	// moving is never cut.
	Timeout      string `json:"timeout"`
	StallTimeout string `json:"stall_timeout"`
}

// optionDecls declares Options for the registration.
var optionDecls = []adapters.Option{
	{Name: "url", Type: adapters.TypeString, Login: true, Help: "imaps://host[:993] or imap://host[:143]"},
	{Name: "tls", Type: adapters.TypeString, Help: "implicit, starttls or none; default from the URL's scheme"},
	{Name: "username", Type: adapters.TypeString, Login: true, Help: "IMAP login name"},
	{Name: "password", Type: adapters.TypeString, Secret: true, Help: "IMAP password"},
	{Name: "password_file", Type: adapters.TypeString, SecretFile: true, Help: "file whose first line is the password"},
	{Name: "oauth_token", Type: adapters.TypeString, Secret: true, Help: "bearer token for AUTHENTICATE XOAUTH2"},
	{Name: "folder", Type: adapters.TypeString, Default: DefaultFolder, Help: "the folder to read"},
	{Name: "folders", Type: adapters.TypeStrings, Help: "several folders to read, instead of folder"},
	{Name: "after_import", Type: adapters.TypeString, Default: AfterKeep, Help: "keep, flag or move what was imported"},
	{Name: "keyword", Type: adapters.TypeString, Default: DefaultKeyword, Help: "the flag set by after_import: flag"},
	{Name: "move_to", Type: adapters.TypeString, Help: "the folder after_import: move moves to"},
	{Name: "ca_file", Type: adapters.TypeString, Help: netx.CAFileHelp},
	{Name: "store_attachments", Type: adapters.TypeBool, Default: "false", Help: "store attachments' content in the CRM, not only their list"},
	{Name: "attachment_max_bytes", Type: adapters.TypeInt, Default: strconv.Itoa(DefaultAttachmentMaxBytes), Help: "largest attachment stored, decoded (at most 32 MiB)"},
	{Name: "timeout", Type: adapters.TypeString, Default: DefaultTimeout.String(), Help: "bound on connecting and the TLS handshake"},
	{Name: "stall_timeout", Type: adapters.TypeString, Default: DefaultStallTimeout.String(), Help: "how long the server may stay silent while an answer is due"},
}

// Defaults of timeout and stall_timeout.
const (
	DefaultTimeout      = 15 * time.Second
	DefaultStallTimeout = 60 * time.Second
)

// DefaultAttachmentMaxBytes is attachment_max_bytes when not set: 10 MiB.
const DefaultAttachmentMaxBytes = 10 << 20

// MaxAttachmentMaxBytes is the largest attachment_max_bytes: 32 MiB, half
// the plugin protocol's 64 MiB message limit (the engine stores at most
// that much content per activity, too).
const MaxAttachmentMaxBytes = 32 << 20

// endpoint is where and how to connect, checked from the options.
type endpoint struct {
	addr    string // host:port
	host    string
	mode    string // TLSImplicit, TLSStartTLS, TLSNone
	display string // scheme://host:port, for messages
	// timeout bounds connect and TLS handshake, stall the silences.
	timeout, stall time.Duration
}

// parseOptions decodes and checks options. Errors are InvalidConfig.
func parseOptions(cfg adapters.Config) (Options, endpoint, error) {
	var o Options
	if err := adapters.DecodeOptions(cfg.Options, &o); err != nil {
		return o, endpoint{}, err
	}
	bad := func(format string, args ...any) (Options, endpoint, error) {
		return o, endpoint{}, adapters.Errorf(adapters.CodeInvalidConfig, "imap: "+format, args...)
	}
	ep, err := parseURL(o.URL, o.TLS)
	if err != nil {
		return bad("%v", err)
	}
	if ep.timeout, err = duration("timeout", o.Timeout, DefaultTimeout); err != nil {
		return bad("%v", err)
	}
	if ep.stall, err = duration("stall_timeout", o.StallTimeout, DefaultStallTimeout); err != nil {
		return bad("%v", err)
	}
	if strings.TrimSpace(o.Username) == "" {
		return bad("username is required")
	}
	secrets := 0
	for _, s := range []string{o.Password, o.PasswordFile, o.OAuthToken} {
		if s != "" {
			secrets++
		}
	}
	// No secret at all is accepted here, as by every adapter: the CLI asks
	// for the password on a terminal and the web client on its login page
	// (credentials.NeedsPassword); without either, connecting fails with
	// errNeedsPassword, naming the server.
	if secrets > 1 {
		return bad("set only one of password, password_file and oauth_token")
	}
	if o.Folder != "" && len(o.Folders) > 0 {
		return bad("set folder or folders, not both")
	}
	if o.Folder != "" {
		o.Folders = []string{o.Folder}
	}
	if len(o.Folders) == 0 {
		o.Folders = []string{DefaultFolder}
	}
	seen := map[string]bool{}
	for _, f := range o.Folders {
		if strings.TrimSpace(f) == "" {
			return bad("empty folder name")
		}
		if seen[f] {
			return bad("folder %q listed twice", f)
		}
		seen[f] = true
	}
	switch o.AfterImport {
	case "":
		o.AfterImport = AfterKeep
	case AfterKeep, AfterFlag, AfterMove:
	default:
		return bad("after_import %q: want keep, flag or move", o.AfterImport)
	}
	if o.Keyword == "" {
		o.Keyword = DefaultKeyword
	}
	if strings.ContainsAny(o.Keyword, " ()\\{%*\"]") {
		return bad("keyword %q is not an IMAP keyword", o.Keyword)
	}
	switch {
	case o.AfterImport == AfterMove && o.MoveTo == "":
		return bad("after_import: move needs move_to")
	case o.AfterImport != AfterMove && o.MoveTo != "":
		return bad("move_to is only used with after_import: move")
	case o.MoveTo != "" && seen[o.MoveTo]:
		return bad("move_to %q is one of the folders read", o.MoveTo)
	}
	switch {
	case o.AttachmentMaxBytes != 0 && !o.StoreAttachments:
		return bad("attachment_max_bytes is only used with store_attachments: true")
	case o.AttachmentMaxBytes < 0 || o.AttachmentMaxBytes > MaxAttachmentMaxBytes:
		return bad("attachment_max_bytes %d: want 1 to %d (32 MiB)", o.AttachmentMaxBytes, MaxAttachmentMaxBytes)
	case o.StoreAttachments && o.AttachmentMaxBytes == 0:
		o.AttachmentMaxBytes = DefaultAttachmentMaxBytes
	}
	return o, ep, nil
}

// duration reads a duration option ("30s", "2m"): def when empty, else a
// positive Go duration.
func duration(name, v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive duration such as \"30s\" or \"2m\"", name, v)
	}
	return d, nil
}

// parseURL reads url and the tls option into an endpoint.
func parseURL(raw, tlsMode string) (endpoint, error) {
	if raw == "" {
		return endpoint{}, fmt.Errorf("url is required (imaps://host or imap://host)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, fmt.Errorf("url %q: %v", raw, err)
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return endpoint{}, fmt.Errorf("url %q: want imaps://host[:port] or imap://host[:port], no path, user or query", raw)
	}
	var mode, port string
	switch strings.ToLower(u.Scheme) {
	case "imaps":
		mode, port = TLSImplicit, "993"
	case "imap":
		mode, port = TLSStartTLS, "143"
	default:
		return endpoint{}, fmt.Errorf("url %q: scheme must be imaps or imap", raw)
	}
	switch tlsMode {
	case "":
	case TLSImplicit, TLSStartTLS, TLSNone:
		if mode == TLSImplicit && tlsMode != TLSImplicit {
			return endpoint{}, fmt.Errorf("url %q is implicit TLS but tls is %q", raw, tlsMode)
		}
		mode = tlsMode
	default:
		return endpoint{}, fmt.Errorf("tls %q: want implicit, starttls or none", tlsMode)
	}
	host := u.Hostname()
	if p := u.Port(); p != "" {
		port = p
	}
	addr := net.JoinHostPort(host, port)
	return endpoint{addr: addr, host: host, mode: mode, display: strings.ToLower(u.Scheme) + "://" + addr}, nil
}
