package ewsfake

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials the fake accepts, by Basic or (after RequireNTLM) NTLM.
const (
	Username = `CONTOSO\gwsync-svc`
	Password = "fake-password"
	Mailbox  = "alice@contoso.example"
	// ImportFolderID is the id of the import folder AddFolder creates first.
	calendarFolder = "calendar"
	tasksFolder    = "tasks"
)

// Item is one stored item. Raw, when set, is a canned XML element served
// instead of one rendered from the fields (for documented samples).
type Item struct {
	ID, ChangeKey string
	Class         string // Message, CalendarItem or Task
	Folder        string // folder id, "calendar" or "tasks"
	Subject, Body string
	BodyType      string // Text (default) or HTML

	InternetMessageID, From string
	To, Cc                  []string
	Sent                    time.Time

	UID        string
	Start, End time.Time
	AllDay     bool
	FreeBusy   string
	TimeZone   string // Windows zone name
	Organizer  string
	Attendees  []string
	Cancelled  bool
	Private    bool // Sensitivity Private
	Location   string
	ActivityID string

	Due      time.Time
	Complete bool

	Raw string

	seq, created int
	deleted      bool
}

type syncState struct {
	folder string
	seq    int
	epoch  int
}

// Server is the fake EWS endpoint. Its methods are safe for concurrent use.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu      sync.Mutex
	seq     int
	nextID  int
	folders map[string]string // id → display name
	items   map[string]*Item
	states  map[string]syncState
	epoch   int

	busy       int
	backOffMS  int
	failures   int
	failStatus int
	pageSize   int
	ops        []string
	requests   []string
	ntlm       bool
	ntlmLogons int
}

// New starts a fake on 127.0.0.1 that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, folders: map[string]string{}, items: map[string]*Item{}, states: map[string]syncState{}, pageSize: 2}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ConnContext = withConnAuth
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the adapter's url option.
func (s *Server) URL() string { return s.srv.URL + "/EWS/Exchange.asmx" }

// Options returns adapter options pointing at the fake, with auth ntlm
// after RequireNTLM.
func (s *Server) Options() map[string]any {
	o := map[string]any{"api": "ews", "url": s.URL(), "username": Username, "password": Password, "mailbox": Mailbox}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ntlm {
		o["auth"] = "ntlm"
	}
	return o
}

// OptionsJSON is Options as JSON.
func (s *Server) OptionsJSON() json.RawMessage {
	b, _ := json.Marshal(s.Options())
	return b
}

// ServerBusy makes the next n requests fail with ErrorServerBusy asking
// for a back-off of backOffMS milliseconds.
func (s *Server) ServerBusy(n, backOffMS int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy, s.backOffMS = n, backOffMS
}

// FailNext makes the next n requests fail with HTTP status.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures, s.failStatus = n, status
}

// InvalidateSyncStates makes every sync state issued so far answer
// ErrorInvalidSyncStateData.
func (s *Server) InvalidateSyncStates() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
}

// SetPageSize sets the most changes one SyncFolderItems answer holds
// (default 2, so that paging is exercised with little data).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Operations returns the SOAP operation of every request so far.
func (s *Server) Operations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ops...)
}

// Requests describes every authenticated request so far, failed ones
// included: the operation, and for SyncFolderItems the folder and the
// sync state sent ("SyncFolderItems calendar state=" for a first page).
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// describe is the Requests entry of one operation.
func describe(op *node) string {
	if op.XMLName.Local != "SyncFolderItems" {
		return op.XMLName.Local
	}
	folder := op.path("SyncFolderId", "FolderId").attr("Id")
	if d := op.path("SyncFolderId", "DistinguishedFolderId").attr("Id"); d != "" {
		folder = d
	}
	return "SyncFolderItems " + folder + " state=" + op.child("SyncState").text()
}

func (s *Server) failf(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.t.Errorf("ewsfake: %s", msg)
	writeFault(w, "ErrorSchemaValidation", msg, "")
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/EWS/Exchange.asmx" {
		s.failf(w, "unexpected request %s %s", r.Method, r.URL)
		return
	}
	if !s.authenticate(w, r) {
		return
	}
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/xml" || !strings.EqualFold(params["charset"], "utf-8") {
		s.failf(w, "Content-Type %q, want text/xml; charset=utf-8", r.Header.Get("Content-Type"))
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var env node
	if err := xml.Unmarshal(raw, &env); err != nil {
		s.failf(w, "request is not XML: %v", err)
		return
	}
	if env.XMLName.Space != nsSOAP || env.XMLName.Local != "Envelope" {
		s.failf(w, "root element %v, want soap:Envelope", env.XMLName)
		return
	}
	if bad := env.badNamespace(); bad != nil {
		s.failf(w, "element %s in namespace %q", bad.XMLName.Local, bad.XMLName.Space)
		return
	}
	header := env.child("Header")
	if v := header.child("RequestServerVersion").attr("Version"); !strings.HasPrefix(v, "Exchange20") {
		s.failf(w, "RequestServerVersion %q missing or wrong", v)
		return
	}
	if imp := header.child("ExchangeImpersonation"); imp != nil {
		if a := imp.path("ConnectingSID", "PrimarySmtpAddress").text(); a != Mailbox {
			writeFault(w, "ErrorImpersonateUserDenied", "The account does not have permission to impersonate the requested user.", "")
			return
		}
	}
	body := env.child("Body")
	if body == nil || len(body.Children) != 1 {
		s.failf(w, "soap:Body must hold exactly one operation")
		return
	}
	op := body.Children[0]
	s.ops = append(s.ops, op.XMLName.Local)
	s.requests = append(s.requests, describe(op))
	if op.XMLName.Space != nsMessages {
		s.failf(w, "operation %s not in the messages namespace", op.XMLName.Local)
		return
	}
	switch {
	case s.busy > 0:
		s.busy--
		writeFault(w, "ErrorServerBusy", "The server cannot service this request right now. Try again later.",
			fmt.Sprintf(`<t:MessageXml xmlns:t="%s"><t:Value Name="BackOffMilliseconds">%d</t:Value></t:MessageXml>`, nsTypes, s.backOffMS))
		return
	case s.failures > 0:
		s.failures--
		w.WriteHeader(s.failStatus)
		fmt.Fprint(w, "<html><body>Service Unavailable</body></html>")
		return
	}
	switch op.XMLName.Local {
	case "FindFolder":
		s.findFolder(w, op)
	case "SyncFolderItems":
		s.syncFolderItems(w, op)
	case "GetItem":
		s.getItem(w, op)
	case "UpdateItem":
		s.updateItem(w, op)
	case "CreateItem":
		s.createItem(w, op)
	case "FindItem":
		s.findItem(w, op)
	default:
		s.failf(w, "unexpected operation %s", op.XMLName.Local)
	}
}

// writeResponse wraps an operation's response in a SOAP envelope.
func writeResponse(w http.ResponseWriter, op, messages string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="%s"><s:Header>`+
		`<h:ServerVersionInfo MajorVersion="15" MinorVersion="2" MajorBuildNumber="1544" MinorBuildNumber="4" Version="V2017_07_11" xmlns:h="%s"/>`+
		`</s:Header><s:Body><m:%sResponse xmlns:m="%s" xmlns:t="%s"><m:ResponseMessages>%s</m:ResponseMessages></m:%sResponse></s:Body></s:Envelope>`,
		nsSOAP, nsTypes, op, nsMessages, nsTypes, messages, op)
}

func success(op, inner string) string {
	return `<m:` + op + `ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>` + inner + `</m:` + op + `ResponseMessage>`
}

func failure(op, code, text string) string {
	return `<m:` + op + `ResponseMessage ResponseClass="Error"><m:MessageText>` + esc(text) + `</m:MessageText><m:ResponseCode>` + code +
		`</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:` + op + `ResponseMessage>`
}

// writeFault answers HTTP 500 with a SOAP fault carrying an EWS code.
func writeFault(w http.ResponseWriter, code, msg, extra string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	const nsErrors = "http://schemas.microsoft.com/exchange/services/2006/errors"
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="%s"><s:Body><s:Fault>`+
		`<faultcode xmlns:a="%s">a:%s</faultcode><faultstring xml:lang="en-US">%s</faultstring><detail>`+
		`<e:ResponseCode xmlns:e="%s">%s</e:ResponseCode><e:Message xmlns:e="%s">%s</e:Message>%s</detail></s:Fault></s:Body></s:Envelope>`,
		nsSOAP, nsTypes, code, esc(msg), nsErrors, code, nsErrors, esc(msg), extra)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
