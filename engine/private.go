package engine

import "github.com/gwsync/gwsync/adapters"

// PrivatePolicy is what becomes of a private item (adapters.Item.Private:
// CLASS:PRIVATE or CONFIDENTIAL, Exchange sensitivity Private or
// Confidential) that is not in the CRM yet. The CRM is shared, so the
// default keeps private items out, as the CRMs' own Exchange syncs do.
type PrivatePolicy string

const (
	// PrivateSkip (the default, also for "") plans a skip: "private, not
	// imported".
	PrivateSkip PrivatePolicy = "skip"
	// PrivateBusy imports the time raster only, under a neutral subject,
	// without body, location, attendees or attachments; its times are
	// still synced both ways.
	PrivateBusy PrivatePolicy = "busy"
	// PrivateImport imports private items like any other.
	PrivateImport PrivatePolicy = "import"
)

// PrivatePolicies are the values of the private_items setting.
var PrivatePolicies = []PrivatePolicy{PrivateSkip, PrivateBusy, PrivateImport}

// PrivateSubject is the subject a private item gets under PrivateBusy.
const PrivateSubject = "Private appointment"

// privateReason is the skip reason under PrivateSkip.
const privateReason = "private, not imported"

// privateItem applies the job's policy to a new, unlinked item before it
// is planned: it returns a skip action when the item stays out, else nil,
// having stripped the item down to its times under PrivateBusy. A linked
// item is not passed here: it keeps its link, and only times are ever
// written for linked items, so nothing private is copied later either.
func (p *planner) privateItem(source string, it *adapters.Item) *Action {
	if !it.Private {
		return nil
	}
	switch p.job.PrivateItems {
	case PrivateImport:
		return nil
	case PrivateBusy:
		*it = adapters.Item{ID: it.ID, Key: it.Key, Version: it.Version, Kind: it.Kind, Raster: it.Raster,
			Busy: it.Busy, Subject: PrivateSubject, Date: it.Date, Modified: it.Modified,
			Completed: it.Completed, Cancelled: it.Cancelled, ExportedFrom: it.ExportedFrom, Private: true}
		return nil
	default:
		return p.skip(source, it, nil, privateReason)
	}
}
