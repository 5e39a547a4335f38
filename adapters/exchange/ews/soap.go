package ews

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/exchange/internal/xchg"
)

// serverVersion is the schema gwsync asks for: Exchange 2013 SP1 and later
// answer with StartTimeZoneId and every element gwsync reads.
const serverVersion = "Exchange2013_SP1"

// esc escapes text for an XML element or attribute.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// envelope wraps a request body in a SOAP envelope with the version
// header and, for a configured mailbox, ExchangeImpersonation.
func (s *Source) envelope(body string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` +
		`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" ` +
		`xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">` +
		`<soap:Header><t:RequestServerVersion Version="` + serverVersion + `"/>`)
	if s.cfg.Mailbox != "" {
		b.WriteString(`<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>` + esc(s.cfg.Mailbox) +
			`</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`)
	}
	b.WriteString(`</soap:Header><soap:Body>` + body + `</soap:Body></soap:Envelope>`)
	return b.Bytes()
}

var (
	serverBusyPattern = regexp.MustCompile(`ErrorServerBusy`)
	backOffPattern    = regexp.MustCompile(`Name="BackOffMilliseconds"[^>]*>\s*(\d+)\s*<`)
)

// busyWait adds EWS throttling to the HTTP rule: ErrorServerBusy (as a SOAP
// fault or a response code) waits BackOffMilliseconds.
func busyWait(r xchg.Response) (time.Duration, bool) {
	if serverBusyPattern.Match(r.Body) {
		var d time.Duration
		if m := backOffPattern.FindSubmatch(r.Body); m != nil {
			ms, _ := strconv.Atoi(string(m[1]))
			d = time.Duration(ms) * time.Millisecond
		}
		return d, true
	}
	if r.Status == http.StatusInternalServerError && bytes.Contains(r.Body, []byte("Fault")) {
		return 0, false // a SOAP fault is an answer, not an outage
	}
	return xchg.StatusWait(r)
}

// soapFault is the body of an HTTP 500 answer.
type soapFault struct {
	Code         string `xml:"Body>Fault>faultcode"`
	String       string `xml:"Body>Fault>faultstring"`
	ResponseCode string `xml:"Body>Fault>detail>ResponseCode"`
}

// call posts one SOAP request and decodes the answer's Body into out.
// Errors: Unauthorized (401, naming the account), Temporary (throttling
// and 5xx after the retries), Unknown for a SOAP fault (with its code).
func (s *Source) call(ctx context.Context, op, body string, out any) error {
	if s.cfg.Password == "" {
		return adapters.Errorf(adapters.CodeUnauthorized, "exchange ews %s: user %s needs a password (password or password_file)", s.cfg.URL, s.cfg.Username)
	}
	payload := s.envelope(body)
	resp, err := s.cfg.Retry.Do(ctx, s.cfg.HTTP, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		req.Header.Set("Accept", "text/xml")
		// With auth ntlm the transport (withNTLM) takes these credentials
		// off and runs the NTLM handshake with them instead.
		req.SetBasicAuth(s.cfg.Username, s.cfg.Password)
		return req, nil
	}, busyWait)
	if err != nil {
		return adapters.Wrap(adapters.CodeOf(err), err, "exchange ews: "+op)
	}
	switch {
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return adapters.Errorf(adapters.CodeUnauthorized, "exchange ews: %s: %s refused (HTTP %d)", s.cfg.who(), s.cfg.Username, resp.Status)
	case resp.Status >= 300:
		var f soapFault
		_ = xml.Unmarshal(resp.Body, &f)
		code := f.ResponseCode
		if code == "" {
			code = f.Code
		}
		c := adapters.CodeUnknown
		switch {
		case strings.Contains(code, "ErrorInvalidSyncStateData"):
			c = adapters.CodeCursorInvalid
		case strings.Contains(code, "ErrorAccessDenied") || strings.Contains(code, "ErrorImpersonateUserDenied"):
			c = adapters.CodeUnauthorized
		}
		return adapters.Errorf(c, "exchange ews: %s: HTTP %d %s %s", op, resp.Status, code, f.String)
	}
	if err := xml.Unmarshal(resp.Body, out); err != nil {
		return adapters.Errorf(adapters.CodeUnknown, "exchange ews: %s: bad XML: %v", op, err)
	}
	return nil
}

// responseMessage is the common part of every ...ResponseMessage.
type responseMessage struct {
	Class       string `xml:"ResponseClass,attr"`
	Code        string `xml:"ResponseCode"`
	MessageText string `xml:"MessageText"`
}

// err maps a failed response message to a coded error.
func (r responseMessage) err(what string) error {
	if r.Class == "Success" || r.Class == "Warning" && r.Code == "NoError" {
		return nil
	}
	c := adapters.CodeUnknown
	switch r.Code {
	case "ErrorIrresolvableConflict", "ErrorChangeKeyRequiredForWriteOperations", "ErrorStaleObject":
		c = adapters.CodeConflict
	case "ErrorItemNotFound", "ErrorInvalidIdMalformed", "ErrorInvalidIdEmpty", "ErrorFolderNotFound":
		c = adapters.CodeNotFound
	case "ErrorInvalidSyncStateData":
		c = adapters.CodeCursorInvalid
	case "ErrorAccessDenied", "ErrorImpersonateUserDenied", "ErrorNonExistentMailbox":
		c = adapters.CodeUnauthorized
	case "ErrorServerBusy", "ErrorTimeoutExpired", "ErrorInternalServerTransientError", "ErrorMailboxMoveInProgress":
		c = adapters.CodeTemporary
	case "ErrorInvalidPropertySet", "ErrorInvalidPropertyRequest", "ErrorCalendarEndDateIsEarlierThanStartDate", "ErrorSchemaValidation":
		c = adapters.CodeInvalidItem
	}
	return adapters.Errorf(c, "exchange ews: %s: %s %s", what, r.Code, r.MessageText)
}

// itemIDXML renders an ItemId, with the ChangeKey when known.
func itemIDXML(id, changeKey string) string {
	if changeKey == "" {
		return fmt.Sprintf(`<t:ItemId Id="%s"/>`, esc(id))
	}
	return fmt.Sprintf(`<t:ItemId Id="%s" ChangeKey="%s"/>`, esc(id), esc(changeKey))
}
