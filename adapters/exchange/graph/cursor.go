package graph

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	"github.com/gwsync/gwsync/adapters"
)

// cursor is the incremental state: one delta link per resource read. It
// is opaque to the engine (base64 JSON) and names the kinds it covers, so
// a cursor taken for other kinds is refused rather than misread.
type cursor struct {
	V      int               `json:"v"`
	Kinds  []adapters.Kind   `json:"kinds"`
	Mail   string            `json:"mail,omitempty"`
	Events string            `json:"events,omitempty"`
	Tasks  map[string]string `json:"tasks,omitempty"` // list id → delta link
	// From and To are the calendarView window the events link was taken
	// over: Graph fixes it for the life of the delta token.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

const cursorVersion = 1

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor for the kinds wanted. Errors: CursorInvalid
// for anything that is not a cursor of this version for the same kinds.
func decodeCursor(s string, kinds []adapters.Kind) (cursor, error) {
	var c cursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil || c.V != cursorVersion {
		return cursor{}, adapters.Errorf(adapters.CodeCursorInvalid, "exchange graph: cursor is not one this version wrote")
	}
	if !slices.Equal(c.Kinds, kinds) {
		return cursor{}, adapters.Errorf(adapters.CodeCursorInvalid, "exchange graph: cursor was taken for kinds %v, not %v", c.Kinds, kinds)
	}
	return c, nil
}

// wantedKinds lists the kinds of a request in canonical order.
func wantedKinds(req adapters.SnapshotRequest) []adapters.Kind {
	var out []adapters.Kind
	for _, k := range adapters.Kinds {
		if req.Wants(k) {
			out = append(out, k)
		}
	}
	return out
}
