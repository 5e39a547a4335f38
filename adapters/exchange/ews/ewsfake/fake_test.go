package ewsfake

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/go-ntlmssp"
)

type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.errs
	r.errs = nil
	return e
}

const envelope = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
	`xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">` +
	`<soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/></soap:Header><soap:Body>%s</soap:Body></soap:Envelope>`

// TestFakeFlagsBadRequests: each SOAP request breaks one rule; the fake
// must report it.
func TestFakeFlagsBadRequests(t *testing.T) {
	rec := &recorder{TB: t}
	s := New(rec)
	id := s.Add(Item{Class: "CalendarItem", Folder: "calendar", Subject: "x", Start: time.Now(), End: time.Now().Add(time.Hour)})
	it, _ := s.Get(id)
	prop := `<t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="gwsyncActivityId" PropertyType="String"/>`
	for name, body := range map[string]string{
		"update notifies attendees":  `<m:UpdateItem ConflictResolution="NeverOverwrite" SendMeetingInvitationsOrCancellations="SendToAllAndSaveCopy"><m:ItemChanges><t:ItemChange><t:ItemId Id="` + id + `" ChangeKey="` + it.ChangeKey + `"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="calendar:Start"/><t:CalendarItem><t:Start>2026-01-01T10:00:00Z</t:Start></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
		"update changes subject":     `<m:UpdateItem ConflictResolution="NeverOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="` + id + `" ChangeKey="` + it.ChangeKey + `"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>y</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
		"create sends invitations":   `<m:CreateItem SendMeetingInvitations="SendToAllAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>s</t:Subject></t:CalendarItem></m:Items></m:CreateItem>`,
		"create out of order":        `<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Start>2026-01-01T10:00:00Z</t:Start><t:Subject>s</t:Subject></t:CalendarItem></m:Items></m:CreateItem>`,
		"get without property":       `<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:BodyType>Best</t:BodyType></m:ItemShape><m:ItemIds><t:ItemId Id="` + id + `"/></m:ItemIds></m:GetItem>`,
		"sync with full shape":       `<m:SyncFolderItems><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId><m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>`,
		"find item outside calendar": `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:Restriction><t:IsEqualTo>` + prop + `<t:FieldURIOrConstant><t:Constant Value="a"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>`,
		"unknown operation":          `<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="` + id + `"/></m:ItemIds></m:DeleteItem>`,
	} {
		req, _ := http.NewRequest("POST", s.URL(), strings.NewReader(fmt.Sprintf(envelope, body)))
		req.SetBasicAuth(Username, Password)
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if errs := rec.take(); len(errs) != 1 || resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: fake reported %v with HTTP %d, want one report and a fault", name, errs, resp.StatusCode)
		}
	}
	if got, _ := s.Get(id); got.Subject != "x" || !got.Start.Equal(it.Start) {
		t.Errorf("a refused request changed the item: %+v", got)
	}
}

// TestFakeNTLM: with RequireNTLM, Basic credentials are refused and
// reported, a request without credentials is offered NTLM, a handshake
// with the right password passes and one with a wrong password does not.
func TestFakeNTLM(t *testing.T) {
	rec := &recorder{TB: t}
	s := New(rec)
	s.RequireNTLM()
	body := fmt.Sprintf(envelope, `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>`+
		`<m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURIOrConstant><t:Constant Value="x"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>`+
		`<m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>`)
	post := func(client *http.Client, password string, basic bool) (int, []string) {
		req, _ := http.NewRequest("POST", s.URL(), strings.NewReader(body))
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		if basic || password != "" {
			req.SetBasicAuth(Username, password)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Values("WWW-Authenticate")
	}
	plain := &http.Client{}
	if status, offered := post(plain, "", false); status != http.StatusUnauthorized || !slices.Contains(offered, "NTLM") || slices.Contains(offered, `Basic realm="mail.contoso.example"`) {
		t.Errorf("no credentials: HTTP %d offering %v, want 401 offering NTLM only", status, offered)
	}
	if status, _ := post(plain, Password, true); status != http.StatusUnauthorized || len(rec.take()) != 1 {
		t.Errorf("Basic credentials: HTTP %d, want 401 and one report", status)
	}
	ntlm := &http.Client{Transport: ntlmssp.Negotiator{RoundTripper: &http.Transport{}}}
	if status, _ := post(ntlm, "wrong", false); status != http.StatusUnauthorized || s.NTLMLogons() != 0 {
		t.Errorf("NTLM with a wrong password: HTTP %d, %d logons", status, s.NTLMLogons())
	}
	if status, _ := post(ntlm, Password, false); status != http.StatusOK || s.NTLMLogons() != 1 {
		t.Errorf("NTLM with the password: HTTP %d, %d logons", status, s.NTLMLogons())
	}
	if errs := rec.take(); len(errs) != 0 {
		t.Errorf("fake reported %v for well-formed NTLM", errs)
	}
}
