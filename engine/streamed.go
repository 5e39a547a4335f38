package engine

import "github.com/gwsync/gwsync/adapters"

// Streamed creates: Sync hands each selected create to the executor as it
// is planned (sendEarly), and the plan keeps a count of them instead of
// the actions. A first import of 200,000 mails held an Action (and a
// result outcome) per mail until the run ended, so its memory grew with
// the folder (issue 13: "items are released once written"). What a person
// needs of them is in the counts, the failures (Result.Items) and the
// links (Link.CreatedRun: "the activities run N created").

// StreamedCount counts the creates of one source, area and activity type
// that Sync applied while the sources were listed.
type StreamedCount struct {
	Source string                `json:"source"`
	Area   Area                  `json:"area"`
	Type   adapters.ActivityType `json:"type"`
	Count  int                   `json:"count"`
}

// countStreamed adds a create handed to the executor to the plan's counts.
func (p *Plan) countStreamed(a *Action) {
	for i := range p.Streamed {
		if s := &p.Streamed[i]; s.Source == a.Source && s.Area == a.Area && s.Type == a.Type {
			s.Count++
			return
		}
	}
	p.Streamed = append(p.Streamed, StreamedCount{Source: a.Source, Area: a.Area, Type: a.Type, Count: 1})
}

// StreamedCreates is how many creates Sync applied while listing.
func (p *Plan) StreamedCreates() int {
	n := 0
	for _, s := range p.Streamed {
		n += s.Count
	}
	return n
}
