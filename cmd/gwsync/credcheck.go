package main

import (
	"context"
	"fmt"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/config"
	"github.com/hashicorp/go-hclog"
)

// loginChecker is the web client's credentials check: it starts the
// user's source with the typed password merged in and asks its server
// once (adapters.CredentialChecker: IMAP logs in and out, CalDAV sends
// one PROPFIND; a source without it answers Info). A built-in adapter
// is started in process for this, even when its runs use a plugin
// process: the check does not cross the plugin wire, so it costs no
// process start. External plugins are started as for a run and asked
// Info. The error never contains the password. The result is a
// web.CheckLoginFunc; only cmd_serve.go names the web package.
func loginChecker(cfg *config.Config, logger hclog.Logger) func(ctx context.Context, user, source, password string) error {
	return func(ctx context.Context, user, source, password string) error {
		u, err := cfg.User(user)
		if err != nil {
			return err
		}
		sp, ok := u.Source(source)
		if !ok {
			return fmt.Errorf("%s: user %s has no source %q", cfg.File, user, source)
		}
		op := &opener{cfg: cfg, logger: logger, secrets: map[string]string{source: password}}
		defer op.close()
		p, _, err := op.withSecret(*sp)
		if err != nil {
			return credentials.RedactError(err, password)
		}
		if _, builtin := adapters.Lookup(p.Plugin); builtin && p.SHA256 == "" {
			p.InProcess = true
		}
		src, err := op.source(ctx, p, u.TimeZone, false)
		if err == nil {
			if cc, ok := src.(adapters.CredentialChecker); ok {
				err = cc.CheckCredentials(ctx)
			} else {
				_, err = src.Info(ctx)
			}
		}
		return credentials.RedactError(err, op.redacted(p)...)
	}
}
