package caldav

import (
	"context"

	"github.com/emersion/go-webdav/caldav"

	"github.com/gwsync/gwsync/adapters"
)

// CheckCredentials asks the configured URL for the current user's
// principal: one PROPFIND, which a server answers with 401 for a wrong
// password. A server that answers it otherwise (no principal at that URL)
// is asked through the full discovery instead, as a run would.
// Errors: Unauthorized, Temporary, InvalidConfig.
func (s *Source) CheckCredentials(ctx context.Context) error {
	dav, err := s.client()
	if err != nil {
		return err
	}
	cl, err := caldav.NewClient(dav, s.set.base.String())
	if err != nil {
		return adapters.Wrap(adapters.CodeInvalidConfig, err, "caldav")
	}
	p, err := cl.FindCurrentUserPrincipal(ctx)
	switch {
	case err == nil && p != "":
		return nil
	case err != nil && (adapters.CodeOf(err) == adapters.CodeUnauthorized || ctx.Err() != nil):
		return err
	}
	_, err = s.homeSet(ctx)
	return err
}

var _ adapters.CredentialChecker = (*Source)(nil)
