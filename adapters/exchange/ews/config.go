package ews

import (
	"net/http"
	"net/url"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// DefaultFolder is the mail folder read when none is configured.
const DefaultFolder = "Import Folder"

// Config is what New needs; the exchange package fills it from options.
type Config struct {
	// URL is the EWS endpoint, https://mail.example.com/EWS/Exchange.asmx.
	URL      string
	Username string
	Password string
	// Auth is "basic" (default) or "ntlm" (Windows authentication, the
	// default of an Exchange Server EWS virtual directory). Username may
	// be DOMAIN\user or user@domain.
	Auth string
	// Mailbox, when set, is read through ExchangeImpersonation as that
	// user (a service account with the ApplicationImpersonation role).
	Mailbox string
	Folder  string
	Logger  hclog.Logger
	HTTP    *http.Client
	Retry   xchg.Retry
	// Resume is how a SyncFolderItems page or GetItem batch that failed
	// past Retry is asked for again (default xchg.DefaultResume).
	Resume xchg.Resume
	// BatchSize is how many items one GetItem asks for (default 50).
	BatchSize int
}

// check fills defaults and refuses incomplete configs.
// Errors: InvalidConfig naming the option.
func (c *Config) check() error {
	switch c.Auth {
	case "", "basic":
		c.Auth = "basic"
	case "ntlm":
	default:
		return adapters.Errorf(adapters.CodeInvalidConfig, "exchange ews: auth %q (want basic or ntlm)", c.Auth)
	}
	u, err := url.Parse(c.URL)
	if c.URL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return adapters.Errorf(adapters.CodeInvalidConfig, "exchange ews: url %q is not an http(s) URL (want https://host/EWS/Exchange.asmx)", c.URL)
	}
	// A missing password is accepted here, as by every adapter: the CLI
	// asks for it on a terminal, the web client on its login page; without
	// either, call fails before sending, naming what is missing.
	if c.Username == "" {
		return adapters.Errorf(adapters.CodeInvalidConfig, "exchange ews: username is required")
	}
	if c.Folder == "" {
		c.Folder = DefaultFolder
	}
	if c.Logger == nil {
		c.Logger = hclog.NewNullLogger()
	}
	if c.Retry.Attempts == 0 {
		c.Retry = xchg.DefaultRetry
	}
	c.Resume = c.Resume.OrDefault()
	if c.BatchSize <= 0 {
		c.BatchSize = 50
	}
	return nil
}

// who names the mailbox in errors.
func (c *Config) who() string {
	if c.Mailbox != "" {
		return "mailbox " + c.Mailbox
	}
	return "mailbox of " + c.Username
}
