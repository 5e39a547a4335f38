package restcrm

import (
	"net/url"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// Name is the adapter name: `plugin: restcrm` in a config, the plugin
// executable gwsync-plugin-restcrm.
const Name = "restcrm"

// Options is the `options:` block of a restcrm entry.
type Options struct {
	// BaseURL is the CRM's API root (http or https), e.g.
	// https://crm.example.com/api.
	BaseURL string `json:"base_url"`
	// Token is sent as `Authorization: Bearer TOKEN` when set.
	Token string `json:"token"`
	// Timeout bounds one HTTP request, as a Go duration ("30s").
	Timeout string `json:"timeout"`
}

// DefaultTimeout is the request timeout when the options name none.
const DefaultTimeout = 30 * time.Second

// Registration declares the adapter and its options, for
// adapters.Register (the plugin's main and the tests register it).
func Registration() adapters.Registration {
	return adapters.Registration{
		Name:        Name,
		Description: "example CRM sink for a REST/JSON CRM (examples/plugins/restcrm)",
		Options: []adapters.Option{
			{Name: "base_url", Type: adapters.TypeString, Login: true, Help: "the CRM API's root URL, http(s)://HOST[:PORT]/PATH"},
			{Name: "token", Type: adapters.TypeString, Secret: true, Help: "bearer token sent with every request"},
			{Name: "timeout", Type: adapters.TypeString, Default: DefaultTimeout.String(), Help: "bound of one HTTP request (Go duration)"},
		},
		NewSink: func(c adapters.Config) (adapters.Sink, error) { return New(c) },
	}
}

// parseOptions decodes and checks the options without any I/O. Errors:
// InvalidConfig naming the option.
func parseOptions(raw []byte) (Options, *url.URL, time.Duration, error) {
	var o Options
	if err := adapters.DecodeOptions(raw, &o); err != nil {
		return o, nil, 0, err
	}
	if o.BaseURL == "" {
		return o, nil, 0, adapters.Errorf(adapters.CodeInvalidConfig, "options: base_url is required")
	}
	u, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return o, nil, 0, adapters.Errorf(adapters.CodeInvalidConfig, "options: base_url %q is not an http(s) URL", o.BaseURL)
	}
	timeout := DefaultTimeout
	if o.Timeout != "" {
		if timeout, err = time.ParseDuration(o.Timeout); err != nil || timeout <= 0 {
			return o, nil, 0, adapters.Errorf(adapters.CodeInvalidConfig, "options: timeout %q is not a positive duration", o.Timeout)
		}
	}
	return o, u, timeout, nil
}
