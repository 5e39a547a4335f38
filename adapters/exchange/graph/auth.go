package graph

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/netx"
)

// appScope asks for the application permissions the tenant admin granted.
const appScope = "https://graph.microsoft.com/.default"

// delegatedScope is what the device-code flow asks the user for.
const delegatedScope = "offline_access Mail.ReadWrite Calendars.ReadWrite Tasks.ReadWrite"

// refreshMargin renews a token this long before it expires, so that no
// request goes out with a token that expires on the way.
const refreshMargin = 5 * time.Minute

// tokens caches an access token and renews it before expiry. The OAuth2
// exchanges are golang.org/x/oauth2's: client credentials
// (clientcredentials), the device-code flow (RFC 8628, Config.DeviceAuth
// and DeviceAccessToken, which polls and slows down as told) and the
// refresh grant.
type tokens struct {
	cfg *Config

	mu  sync.Mutex
	cur *oauth2.Token
}

// token returns a valid access token. Errors: Unauthorized naming the
// mailbox when the grant is refused (wrong secret, revoked consent, expired
// refresh token, a device code that expired); Temporary when the endpoint
// cannot be reached.
func (t *tokens) token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil && t.cur.AccessToken != "" && time.Now().Add(refreshMargin).Before(t.cur.Expiry) {
		return t.cur.AccessToken, nil
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, t.cfg.HTTP)
	var tok *oauth2.Token
	var err error
	switch {
	case t.cfg.Auth == AuthClientCredentials:
		cc := clientcredentials.Config{ClientID: t.cfg.ClientID, ClientSecret: t.cfg.ClientSecret,
			TokenURL: t.cfg.TokenURL, Scopes: []string{appScope}, AuthStyle: oauth2.AuthStyleInParams}
		tok, err = cc.Token(octx)
	case t.cur != nil && t.cur.RefreshToken != "":
		// An expired token with its refresh token: the source refreshes.
		tok, err = t.delegated().TokenSource(octx, &oauth2.Token{RefreshToken: t.cur.RefreshToken}).Token()
	default:
		tok, err = t.deviceCode(octx)
	}
	if err != nil {
		return "", t.explain(ctx, err)
	}
	if tok.AccessToken == "" {
		return "", adapters.Errorf(adapters.CodeUnauthorized, "exchange graph: %s: token endpoint returned no access_token", t.cfg.who())
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = time.Now().Add(time.Hour)
	}
	if tok.RefreshToken == "" && t.cur != nil {
		tok.RefreshToken = t.cur.RefreshToken
	}
	t.cur = tok
	return tok.AccessToken, nil
}

// delegated is the OAuth2 client of the device-code flow and its refresh.
func (t *tokens) delegated() *oauth2.Config {
	return &oauth2.Config{ClientID: t.cfg.ClientID, Scopes: strings.Fields(delegatedScope),
		Endpoint: oauth2.Endpoint{TokenURL: t.cfg.TokenURL, DeviceAuthURL: t.deviceCodeURL(), AuthStyle: oauth2.AuthStyleInParams}}
}

// deviceCodeURL is the device-code endpoint next to the token endpoint
// (".../oauth2/v2.0/token" → ".../oauth2/v2.0/devicecode").
func (t *tokens) deviceCodeURL() string {
	return strings.TrimSuffix(t.cfg.TokenURL, "/token") + "/devicecode"
}

// deviceCode runs the device-code flow: it logs the message asking the
// user to sign in, then polls the token endpoint until the user did, the
// code expires or ctx ends. The refresh token it yields is kept in memory
// for the life of the adapter.
func (t *tokens) deviceCode(ctx context.Context) (*oauth2.Token, error) {
	c := t.delegated()
	da, err := c.DeviceAuth(ctx)
	if err != nil {
		return nil, err
	}
	uri := da.VerificationURI
	if da.VerificationURIComplete != "" {
		uri = da.VerificationURIComplete
	}
	t.cfg.Logger.Warn("To sign in, open "+uri+" and enter the code "+da.UserCode, "mailbox", t.cfg.Mailbox)
	return c.DeviceAccessToken(ctx, da)
}

// invalidate drops the cached token after the API refused it, so the next
// call fetches a new one (with the refresh token, when there is one).
func (t *tokens) invalidate() {
	t.mu.Lock()
	if t.cur != nil {
		t.cur.AccessToken = ""
	}
	t.mu.Unlock()
}

// explain maps an OAuth2 failure to the adapter's error codes: a refused
// grant is Unauthorized naming the mailbox and the server's reason.
func (t *tokens) explain(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" {
			code = re.Response.Status
		}
		if code == "expired_token" {
			return adapters.Errorf(adapters.CodeUnauthorized, "exchange graph: %s: device code expired before the user signed in", t.cfg.who())
		}
		return adapters.Errorf(adapters.CodeUnauthorized, "exchange graph: %s: sign-in refused: %s: %s", t.cfg.who(), code, firstLine(re.ErrorDescription))
	}
	var ae *adapters.Error
	if errors.As(err, &ae) {
		return adapters.Wrap(ae.Code, err, "exchange graph: "+t.cfg.who()+": token endpoint")
	}
	return adapters.Wrap(adapters.CodeTemporary, netx.Wrap(err, ""), "exchange graph: "+t.cfg.who()+": token endpoint")
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
