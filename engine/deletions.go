package engine

// linkReport is the report (a skip, nothing written) about a linked item
// that its source's listing did not mention, like the skips p.skip builds
// for the items a listing did mention.
func (p *planner) linkReport(e *linkEntry, reason string) *Action {
	c := &p.ix.crm[e.crm]
	subject := c.subject // kept only when the CRM changed it, see addLink
	if subject == "" {
		subject = e.key
	}
	return &Action{Kind: ActSkip, Area: AreaResync, Source: e.ref.source, ItemID: e.ref.itemID,
		Key: e.key, ActivityID: c.id, Type: c.activityType(), Subject: subject, Raster: e.base.raster(), Reason: reason}
}

// crmDeleted reports a linked activity the CRM no longer lists, for an
// item an incremental listing did not mention (unchanged at the source).
// It comes once a run, as long as the link exists, like the report for an
// item a listing did mention (linkedItem).
func (p *planner) crmDeleted(e *linkEntry) *Action {
	return p.linkReport(e, "activity "+p.ix.crm[e.crm].id+" deleted in the CRM (deletions are not propagated)")
}
