package graph

import (
	"net/http"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// Defaults for Exchange Online.
const (
	DefaultBaseURL = "https://graph.microsoft.com/v1.0"
	// DefaultTokenURL has "{tenant}" replaced by the tenant id.
	DefaultTokenURL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
	DefaultFolder   = "Import Folder"
)

// Auth flows.
const (
	AuthClientCredentials = "client_credentials"
	AuthDeviceCode        = "device_code"
)

// Config is what New needs; the exchange package fills it from options.
type Config struct {
	TenantID, ClientID, ClientSecret string
	// Mailbox is the user principal name whose mailbox is read; with the
	// device-code flow it may be empty ("me").
	Mailbox  string
	Auth     string
	BaseURL  string
	TokenURL string
	Folder   string
	Logger   hclog.Logger
	// HTTP and Retry default to xchg.HTTPClient("") and xchg.DefaultRetry.
	HTTP  *http.Client
	Retry xchg.Retry
	// Resume is how a delta page that failed past Retry is asked for
	// again from its next link (default xchg.DefaultResume).
	Resume xchg.Resume
}

// check fills defaults and refuses incomplete configs.
// Errors: InvalidConfig naming the option.
func (c *Config) check() error {
	if c.Auth == "" {
		c.Auth = AuthClientCredentials
	}
	switch c.Auth {
	case AuthClientCredentials:
		if c.ClientSecret == "" {
			return adapters.Errorf(adapters.CodeInvalidConfig, "exchange graph: client_credentials needs client_secret or client_secret_file")
		}
		if c.Mailbox == "" {
			return adapters.Errorf(adapters.CodeInvalidConfig, "exchange graph: client_credentials needs mailbox (the user principal name to read)")
		}
	case AuthDeviceCode:
	default:
		return adapters.Errorf(adapters.CodeInvalidConfig, "exchange graph: auth %q (want client_credentials or device_code)", c.Auth)
	}
	if c.ClientID == "" {
		return adapters.Errorf(adapters.CodeInvalidConfig, "exchange graph: client_id is required")
	}
	if c.TenantID == "" && c.TokenURL == "" {
		return adapters.Errorf(adapters.CodeInvalidConfig, "exchange graph: tenant_id is required")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.TokenURL == "" {
		c.TokenURL = strings.ReplaceAll(DefaultTokenURL, "{tenant}", c.TenantID)
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
	return nil
}

// who names the mailbox in errors, so that one user's revoked grant is
// recognisable among many.
func (c *Config) who() string {
	if c.Mailbox == "" {
		return "mailbox of the signed-in user"
	}
	return "mailbox " + c.Mailbox
}

// userPath is the URL path of the mailbox owner.
func (c *Config) userPath() string {
	if c.Mailbox == "" {
		return "/me"
	}
	return "/users/" + pathEscape(c.Mailbox)
}
