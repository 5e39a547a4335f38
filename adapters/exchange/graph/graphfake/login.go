package graphfake

import (
	"fmt"
	"net/http"
	"strings"
)

// Device-code values the fake hands out.
const (
	deviceCode   = "fake-device-code"
	refreshToken = "fake-refresh-token"
)

// serveLogin answers the Microsoft identity platform v2.0 endpoints.
func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request, endpoint string) {
	if r.Method != http.MethodPost {
		s.failf(w, "%s on the login endpoint %s, want POST", r.Method, endpoint)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		s.failf(w, "login endpoint %s with Content-Type %q, want a form", endpoint, ct)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.failf(w, "login form: %v", err)
		return
	}
	f := r.PostForm
	if f.Get("client_id") != ClientID {
		writeJSON(w, http.StatusBadRequest, oauthError("unauthorized_client", "AADSTS700016: Application not found in the directory."))
		return
	}
	switch endpoint {
	case "devicecode":
		if !strings.Contains(f.Get("scope"), "offline_access") {
			s.failf(w, "device code requested without offline_access (scope %q)", f.Get("scope"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"device_code": deviceCode, "user_code": "FAKE-CODE",
			"verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900, "interval": 1,
			"message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-CODE to authenticate."})
		return
	case "token":
	default:
		s.failf(w, "unexpected login endpoint %s", endpoint)
		return
	}
	if s.revoked {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application."))
		return
	}
	switch g := f.Get("grant_type"); g {
	case "client_credentials":
		if f.Get("scope") != "https://graph.microsoft.com/.default" {
			s.failf(w, "client_credentials with scope %q, want https://graph.microsoft.com/.default", f.Get("scope"))
			return
		}
		if f.Get("client_secret") != ClientSecret {
			writeJSON(w, http.StatusUnauthorized, oauthError("invalid_client", "AADSTS7000215: Invalid client secret provided."))
			return
		}
	case "urn:ietf:params:oauth:grant-type:device_code":
		if f.Get("device_code") != deviceCode {
			writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "AADSTS70000: unknown device code"))
			return
		}
	case "refresh_token":
		if f.Get("refresh_token") != refreshToken {
			writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "AADSTS70008: The refresh token has expired."))
			return
		}
	default:
		s.failf(w, "unexpected grant_type %q", g)
		return
	}
	tok := fmt.Sprintf("fake-access-token-%d", len(s.tokens)+1)
	s.tokens[tok] = true
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
		"access_token": tok, "refresh_token": refreshToken})
}

func oauthError(code, desc string) map[string]any {
	return map[string]any{"error": code, "error_description": desc + "\r\nTrace ID: fake\r\nCorrelation ID: fake",
		"error_codes": []int{7000215}, "timestamp": "2026-11-25 10:00:00Z"}
}
