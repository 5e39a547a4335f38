package refserver

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Server is the reference REST CRM: an http.Handler over an in-memory store.
type Server struct {
	token string
	store *store
	mux   *http.ServeMux
}

// Page sizes of GET /activities.
const (
	DefaultPageSize = 100
	MaxPageSize     = 500
)

// maxBody bounds a request body (a batch of 500 activities with their
// attachments fits; a runaway client gets 413).
const maxBody = 64 << 20

// New returns a server; a non-empty token must come in every request as
// `Authorization: Bearer TOKEN`.
func New(token string) *Server {
	s := &Server{token: token, store: newStore(), mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /activities", s.listActivities)
	s.mux.HandleFunc("POST /activities", s.createActivity)
	s.mux.HandleFunc("POST /activities/batch", s.upsertBatch)
	s.mux.HandleFunc("PATCH /activities/{id}/times", s.setTimes)
	s.mux.HandleFunc("GET /contacts", s.findContacts)
	s.mux.HandleFunc("POST /contacts", s.createContact)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			writeError(w, http.StatusUnauthorized, CodeUnauthorized, "missing or wrong bearer token")
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.mux.ServeHTTP(w, r)
}

// GET /activities?owner=NAME[&type=T]...[&page_size=N][&page_token=TOKEN]
func (s *Server) listActivities(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	owner := q.Get("owner")
	if owner == "" {
		writeError(w, http.StatusBadRequest, CodeBadRequest, "owner is required")
		return
	}
	size := DefaultPageSize
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			writeError(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("page_size %q: want 1 to %d", v, MaxPageSize))
			return
		}
		size = n
	}
	after := 0
	if v := q.Get("page_token"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("page_token %q is not one this server gave", v))
			return
		}
		after = n
	}
	acts, more := s.store.list(owner, q["type"], after, size)
	page := ActivityPage{Activities: acts}
	if page.Activities == nil {
		page.Activities = []Activity{}
	}
	if more {
		page.NextPageToken = acts[len(acts)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

// POST /activities: an activity made by a CRM user (any type, no key
// needed). 201 with the activity; 409 when its key exists.
func (s *Server) createActivity(w http.ResponseWriter, r *http.Request) {
	var a Activity
	if !readJSON(w, r, &a) {
		return
	}
	if !slices.Contains(ActivityTypes, a.Type) {
		writeError(w, http.StatusUnprocessableEntity, CodeInvalid, fmt.Sprintf("unknown activity type %q", a.Type))
		return
	}
	if a.Key == "" {
		writeJSON(w, http.StatusCreated, s.store.create(a))
		return
	}
	got, created := s.store.upsert(a)
	if !created {
		writeError(w, http.StatusConflict, CodeExists, fmt.Sprintf("activity %s has key %q already", got.ID, a.Key))
		return
	}
	writeJSON(w, http.StatusCreated, got)
}

// POST /activities/batch: imported activities, idempotent by key. Each
// result is the activity (created or found by its key, with the request's
// owners and contacts added) or an error of its own.
func (s *Server) upsertBatch(w http.ResponseWriter, r *http.Request) {
	var req BatchRequest
	if !readJSON(w, r, &req) {
		return
	}
	if len(req.Activities) > MaxPageSize {
		writeError(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("%d activities in one batch; at most %d", len(req.Activities), MaxPageSize))
		return
	}
	resp := BatchResponse{Results: make([]BatchResult, len(req.Activities))}
	for i, a := range req.Activities {
		if msg := invalidImport(a); msg != "" {
			resp.Results[i].Error = &Error{Code: CodeInvalid, Message: msg}
			continue
		}
		got, created := s.store.upsert(a)
		resp.Results[i] = BatchResult{Activity: &got, Created: created}
	}
	writeJSON(w, http.StatusOK, resp)
}

// invalidImport says why an imported activity is refused, or "".
func invalidImport(a Activity) string {
	switch {
	case a.Key == "":
		return fmt.Sprintf("activity %q has no key", a.Subject)
	case a.Type == "FOLLOWUP":
		return fmt.Sprintf("%s: FOLLOWUP activities are made by CRM users, never imported", a.Key)
	case !slices.Contains(ActivityTypes, a.Type):
		return fmt.Sprintf("%s: unknown activity type %q", a.Key, a.Type)
	}
	return ""
}

// PATCH /activities/{id}/times with If-Match: VERSION. 200 with the
// activity; 404; 412 when the version differs.
func (s *Server) setTimes(w http.ResponseWriter, r *http.Request) {
	var t Times
	if !readJSON(w, r, &t) {
		return
	}
	id := r.PathValue("id")
	a, err := s.store.setTimes(id, r.Header.Get("If-Match"), t)
	switch {
	case errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, CodeNotFound, fmt.Sprintf("activity %s does not exist", id))
	case errors.Is(err, errVersion):
		writeError(w, http.StatusPreconditionFailed, CodeVersion,
			fmt.Sprintf("activity %s is at version %s, not %s", id, a.Version, r.Header.Get("If-Match")))
	default:
		writeJSON(w, http.StatusOK, a)
	}
}

// GET /contacts?email=ADDRESS: the contact with that address, as a list
// of zero or one.
func (s *Server) findContacts(w http.ResponseWriter, r *http.Request) {
	email := r.URL.Query().Get("email")
	if email == "" {
		writeError(w, http.StatusBadRequest, CodeBadRequest, "email is required")
		return
	}
	out := struct {
		Contacts []Contact `json:"contacts"`
	}{Contacts: []Contact{}}
	if c, ok := s.store.contactByEmail(email); ok {
		out.Contacts = append(out.Contacts, c)
	}
	writeJSON(w, http.StatusOK, out)
}

// POST /contacts: 201 with the new contact; 409 when the address exists.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	var c Contact
	if !readJSON(w, r, &c) {
		return
	}
	if strings.TrimSpace(c.Email) == "" {
		writeError(w, http.StatusUnprocessableEntity, CodeBadRequest, "email is required")
		return
	}
	got, created := s.store.createContact(c.Email, c.Name)
	if !created {
		writeError(w, http.StatusConflict, CodeExists, fmt.Sprintf("contact %s has the address %s already", got.ID, got.Email))
		return
	}
	writeJSON(w, http.StatusCreated, got)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, CodeBadRequest, fmt.Sprintf("body over %d bytes", tooBig.Limit))
			return false
		}
		writeError(w, http.StatusBadRequest, CodeBadRequest, "body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, ErrorBody{Error: Error{Code: code, Message: msg}})
}
