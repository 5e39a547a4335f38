package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// appScope asks for the application permissions the tenant admin granted.
const appScope = "https://graph.microsoft.com/.default"

// delegatedScope is what the device-code flow asks the user for.
const delegatedScope = "offline_access Mail.ReadWrite Calendars.ReadWrite Tasks.ReadWrite"

// refreshMargin renews a token this long before it expires, so that no
// request goes out with a token that expires on the way.
const refreshMargin = 5 * time.Minute

// tokens caches an access token and renews it before expiry.
type tokens struct {
	cfg *Config

	mu      sync.Mutex
	access  string
	refresh string
	expiry  time.Time
}

// token returns a valid access token. Errors: Unauthorized naming the
// mailbox when the grant is refused (wrong secret, revoked consent, expired
// refresh token); Temporary when the endpoint cannot be reached.
func (t *tokens) token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.access != "" && time.Now().Add(refreshMargin).Before(t.expiry) {
		return t.access, nil
	}
	form := url.Values{"client_id": {t.cfg.ClientID}}
	switch {
	case t.cfg.Auth == AuthClientCredentials:
		form.Set("grant_type", "client_credentials")
		form.Set("client_secret", t.cfg.ClientSecret)
		form.Set("scope", appScope)
	case t.refresh != "":
		form.Set("grant_type", "refresh_token")
		form.Set("refresh_token", t.refresh)
		form.Set("scope", delegatedScope)
	default:
		return t.deviceCode(ctx)
	}
	tr, err := t.post(ctx, t.cfg.TokenURL, form)
	if err != nil {
		return "", err
	}
	return t.keep(tr)
}

// invalidate drops the cached token after the API refused it, so the next
// call fetches a new one.
func (t *tokens) invalidate() {
	t.mu.Lock()
	t.access = ""
	t.mu.Unlock()
}

func (t *tokens) keep(tr tokenResponse) (string, error) {
	if tr.AccessToken == "" {
		return "", adapters.Errorf(adapters.CodeUnauthorized, "exchange graph: %s: token endpoint returned no access_token", t.cfg.who())
	}
	t.access = tr.AccessToken
	if tr.RefreshToken != "" {
		t.refresh = tr.RefreshToken
	}
	if tr.ExpiresIn <= 0 {
		tr.ExpiresIn = 3600
	}
	t.expiry = time.Now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	return t.access, nil
}

// post sends a form to a login endpoint and decodes the answer. OAuth
// errors (400/401 with "error") are Unauthorized except the polling states
// of the device flow, which the caller reads from the returned response.
func (t *tokens) post(ctx context.Context, endpoint string, form url.Values) (tokenResponse, error) {
	resp, err := t.cfg.Retry.Do(ctx, t.cfg.HTTP, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		return req, nil
	}, nil)
	if err != nil {
		return tokenResponse{}, adapters.Wrap(adapters.CodeOf(err), err, "exchange graph: "+t.cfg.who()+": token endpoint")
	}
	var tr tokenResponse
	if jerr := json.Unmarshal(resp.Body, &tr); jerr != nil && resp.Status < 300 {
		return tokenResponse{}, adapters.Errorf(adapters.CodeUnknown, "exchange graph: token endpoint: %s", xchg.Snippet(resp.Body))
	}
	switch {
	case resp.Status < 300:
		return tr, nil
	case tr.Error == "authorization_pending" || tr.Error == "slow_down":
		return tr, nil
	case tr.Error != "" || resp.Status == http.StatusUnauthorized || resp.Status == http.StatusBadRequest:
		return tokenResponse{}, adapters.Errorf(adapters.CodeUnauthorized, "exchange graph: %s: sign-in refused: %s: %s", t.cfg.who(), tr.Error, firstLine(tr.Description))
	}
	return tokenResponse{}, adapters.Errorf(adapters.CodeUnknown, "exchange graph: token endpoint HTTP %d: %s", resp.Status, xchg.Snippet(resp.Body))
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
