package caldav

import (
	"context"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav/davx"
)

// maxSyncRounds bounds the 507 "more to fetch" rounds of one
// sync-collection, against a server that never stops truncating.
const maxSyncRounds = 1000

// sync runs sync-collection from token ("" for the initial listing of
// every member), following 507 truncation rounds, and returns the new
// token. Errors: as davx.SyncCollection.
func (r *run) sync(ctx context.Context, c collection, token string, fn func(davx.Response) error) (string, error) {
	dav, err := r.s.client()
	if err != nil {
		return "", err
	}
	for round := 0; ; round++ {
		res, err := dav.SyncCollection(ctx, r.s.abs(c.Path), c.Path, token, fn)
		if err != nil {
			return "", err
		}
		if res.Token != "" {
			token = res.Token
		}
		if !res.Truncated || round >= maxSyncRounds {
			return token, nil
		}
	}
}

// noSyncSupport tells a server that does not offer sync-collection (it
// answers the initial REPORT with 400, 403, 404, 501 …) from an outage or
// an authentication failure, which are reported as they are.
func noSyncSupport(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	switch adapters.CodeOf(err) {
	case adapters.CodeTemporary, adapters.CodeUnauthorized, adapters.CodeInvalidConfig:
		return false
	}
	return true
}

// listETags diffs a collection of a server without sync-collection: a
// PROPFIND of the ctag first when the last run saw one (unchanged: done,
// two requests in all), else a Depth 1 listing of every member's ETag,
// which also carries the ctag for next time. Listed members go to
// changed (the caller skips unchanged ETags), stored ones not listed to
// removed. Errors: as davx.Client.PropFind, naming the collection.
func (r *run) listETags(ctx context.Context, c collection, oc, cc *collCursor, changed map[string]string, removed *[]string) error {
	dav, err := r.s.client()
	if err != nil {
		return err
	}
	wrap := func(err error) error { return adapters.Wrap(adapters.CodeOf(err), err, "caldav: collection "+c.Path) }
	self := strings.TrimSuffix(c.Path, "/")
	if oc.CTag != "" {
		ctag := ""
		err := dav.PropFind(ctx, r.s.abs(c.Path), "0", []string{davx.PropCTag}, func(resp davx.Response) error {
			ctag = resp.Props.CTag
			return nil
		})
		if err != nil {
			return wrap(err)
		}
		if ctag == oc.CTag {
			cc.CTag = ctag
			return nil
		}
	}
	listed := map[string]string{}
	err = dav.PropFind(ctx, r.s.abs(c.Path), "1", []string{davx.PropETag, davx.PropResourceType, davx.PropCTag}, func(resp davx.Response) error {
		switch {
		case strings.TrimSuffix(resp.Href, "/") == self:
			cc.CTag = resp.Props.CTag
		case resp.Status/100 == 2 && !resp.Props.IsCollection && !strings.HasSuffix(resp.Href, "/"):
			listed[resp.Href] = resp.Props.ETag
		}
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	for href, etag := range listed {
		changed[href] = etag
	}
	*removed = append(*removed, unlisted(oc.Objects, listed)...)
	return nil
}

// unlisted returns the stored hrefs a complete listing no longer holds.
func unlisted(stored map[string]object, listed map[string]string) []string {
	var out []string
	for href := range stored {
		if _, ok := listed[href]; !ok {
			out = append(out, href)
		}
	}
	return out
}
