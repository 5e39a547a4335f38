package adapters

import "context"

// CredentialChecker is an optional capability of a source: it checks its
// login with the server in one cheap call (IMAP: LOGIN and LOGOUT;
// CalDAV: one PROPFIND on the principal) and reads nothing, so that a
// password is refused where it is typed, not a step later. A wrong
// password is CodeUnauthorized; an unreachable server CodeTemporary.
// Like Discoverer it is used in process (by the web client's credentials
// page) and does not cross the plugin wire; a source without it is
// checked with Info.
type CredentialChecker interface {
	CheckCredentials(ctx context.Context) error
}
