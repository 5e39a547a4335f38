package imap

import (
	"context"

	"github.com/gwsync/gwsync/adapters"
)

// CheckCredentials logs in on a connection of its own and logs out at
// once (LOGIN or AUTHENTICATE, then LOGOUT): no folder is selected and
// nothing read. Errors: Unauthorized for a refused login, Temporary when
// the server cannot be reached, InvalidConfig for a certificate problem.
func (s *Source) CheckCredentials(ctx context.Context) error {
	c, _, err := s.connect(ctx)
	if err != nil {
		return err
	}
	_ = c.Logout().Wait()
	return c.Close()
}

var _ adapters.CredentialChecker = (*Source)(nil)
