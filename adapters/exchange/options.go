package exchange

import (
	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/ews"
	"github.com/gwsync/gwsync/adapters/exchange/graph"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
	"github.com/gwsync/gwsync/adapters/netx"
)

// Options of the exchange adapter, one flat block for both APIs: keys of
// the other API are refused, so a half-edited config fails loudly.
type Options struct {
	// API is "graph" (Exchange Online) or "ews" (Exchange Server).
	API string `json:"api"`

	// Graph.
	TenantID         string `json:"tenant_id,omitempty"`
	ClientID         string `json:"client_id,omitempty"`
	ClientSecret     string `json:"client_secret,omitempty"`
	ClientSecretFile string `json:"client_secret_file,omitempty"`
	Mailbox          string `json:"mailbox,omitempty"`
	BaseURL          string `json:"base_url,omitempty"`
	TokenURL         string `json:"token_url,omitempty"`
	Folder           string `json:"folder,omitempty"`

	// EWS.
	URL          string `json:"url,omitempty"`
	Username     string `json:"username,omitempty"`
	Password     string `json:"password,omitempty"`
	PasswordFile string `json:"password_file,omitempty"`
	CAFile       string `json:"ca_file,omitempty"`

	// Auth is client_credentials | device_code (graph) or basic | ntlm (ews).
	Auth string `json:"auth,omitempty"`
}

// optionDecls declares Options for the registration. Only url and
// username are logins: a Graph instance without client_secret uses the
// device-code flow and needs no typed password.
var optionDecls = []adapters.Option{
	{Name: "api", Type: adapters.TypeString, Help: "graph (Exchange Online) or ews (Exchange Server)"},
	{Name: "tenant_id", Type: adapters.TypeString, Help: "graph: the Entra tenant"},
	{Name: "client_id", Type: adapters.TypeString, Help: "graph: the application (client) id"},
	{Name: "client_secret", Type: adapters.TypeString, Secret: true, Help: "graph: the application's client secret"},
	{Name: "client_secret_file", Type: adapters.TypeString, SecretFile: true, Help: "graph: file holding the client secret"},
	{Name: "mailbox", Type: adapters.TypeString, Help: "graph: the mailbox (user principal name) to read"},
	{Name: "base_url", Type: adapters.TypeString, Help: "graph: API root, for tests and national clouds"},
	{Name: "token_url", Type: adapters.TypeString, Help: "graph: token endpoint, for tests and national clouds"},
	{Name: "folder", Type: adapters.TypeString, Help: "the mail folder to read"},
	{Name: "url", Type: adapters.TypeString, Login: true, Help: "ews: the EWS endpoint URL"},
	{Name: "username", Type: adapters.TypeString, Login: true, Help: "ews: the login name"},
	{Name: "password", Type: adapters.TypeString, Secret: true, Help: "ews: the password"},
	{Name: "password_file", Type: adapters.TypeString, SecretFile: true, Help: "ews: file whose first line is the password"},
	{Name: "ca_file", Type: adapters.TypeString, Help: netx.CAFileHelp},
	{Name: "auth", Type: adapters.TypeString, Help: "client_credentials or device_code (graph); basic or ntlm (ews)"},
}

// open decodes options and builds the source of the chosen API. It reads
// secret and CA files but does no network I/O.
// Errors: InvalidConfig naming the option.
func open(c adapters.Config) (adapters.Source, error) {
	var o Options
	if err := adapters.DecodeOptions(c.Options, &o); err != nil {
		return nil, err
	}
	switch o.API {
	case "graph":
		if o.URL != "" || o.Username != "" || o.Password != "" || o.PasswordFile != "" {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig, "exchange: url, username and password are EWS options; api is graph")
		}
		secret, err := xchg.Secret(o.ClientSecret, o.ClientSecretFile, "client_secret_file")
		if err != nil {
			return nil, err
		}
		httpc, err := xchg.HTTPClient(o.CAFile)
		if err != nil {
			return nil, err
		}
		src, err := graph.New(graph.Config{TenantID: o.TenantID, ClientID: o.ClientID, ClientSecret: secret,
			Mailbox: o.Mailbox, Auth: o.Auth, BaseURL: o.BaseURL, TokenURL: o.TokenURL, Folder: o.Folder,
			Logger: c.Logger, HTTP: httpc})
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return src, nil
	case "ews":
		if o.TenantID != "" || o.ClientID != "" || o.ClientSecret != "" || o.ClientSecretFile != "" || o.BaseURL != "" || o.TokenURL != "" {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig, "exchange: tenant_id, client_id, client_secret, base_url and token_url are Graph options; api is ews")
		}
		password, err := xchg.Secret(o.Password, o.PasswordFile, "password_file")
		if err != nil {
			return nil, err
		}
		httpc, err := xchg.HTTPClient(o.CAFile)
		if err != nil {
			return nil, err
		}
		src, err := ews.New(ews.Config{URL: o.URL, Username: o.Username, Password: password, Auth: o.Auth,
			Mailbox: o.Mailbox, Folder: o.Folder, Logger: c.Logger, HTTP: httpc})
		if err != nil {
			return nil, err
		}
		return src, nil
	case "":
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "exchange: option api is required (graph or ews)")
	}
	return nil, adapters.Errorf(adapters.CodeInvalidConfig, "exchange: api %q (want graph or ews)", o.API)
}
