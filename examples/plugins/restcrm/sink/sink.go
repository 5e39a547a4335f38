package restcrm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gwsync/gwsync/adapters"
)

// Version is the sink's version in Info.
const Version = "0.1.0"

// Page and batch sizes: the reference server's maximum (README.md).
const (
	pageSize  = 500
	batchSize = 500
)

// Sink is the REST CRM sink.
type Sink struct {
	c *client
}

// New builds the sink from its options, without I/O. Errors:
// InvalidConfig naming the option.
func New(cfg adapters.Config) (*Sink, error) {
	o, base, timeout, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	return &Sink{c: &client{base: base, token: o.Token, http: &http.Client{Timeout: timeout}}}, nil
}

// Info describes the sink. A sink has no optional capabilities.
func (s *Sink) Info(ctx context.Context) (adapters.Info, error) {
	return adapters.Info{Name: Name, Version: Version}, nil
}

// ListActivities pages through the owner's activities.
func (s *Sink) ListActivities(ctx context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	query := url.Values{"owner": {q.Owner}, "page_size": {strconv.Itoa(pageSize)}}
	for _, t := range q.Types {
		query.Add("type", string(t))
	}
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return adapters.ListEnd{Count: n}, err
		}
		var page apiPage
		if err := s.c.do(ctx, http.MethodGet, "/activities", query, nil, nil, &page); err != nil {
			return adapters.ListEnd{Count: n}, err
		}
		for _, a := range page.Activities {
			if err := emit(fromAPI(a)); err != nil {
				return adapters.ListEnd{Count: n}, err
			}
			n++
		}
		if page.NextPageToken == "" {
			return adapters.ListEnd{Count: n}, nil
		}
		query.Set("page_token", page.NextPageToken)
	}
}

// Upsert sends the activities in batches; the CRM creates each unless its
// key exists, and then adds the owners and contacts.
func (s *Sink) Upsert(ctx context.Context, activities []adapters.Activity) ([]adapters.UpsertResult, error) {
	results := make([]adapters.UpsertResult, 0, len(activities))
	for start := 0; start < len(activities); start += batchSize {
		chunk := activities[start:min(start+batchSize, len(activities))]
		req := apiBatch{Activities: make([]apiActivity, len(chunk))}
		for i, a := range chunk {
			req.Activities[i] = toAPI(a)
		}
		var resp apiBatchResponse
		if err := s.c.do(ctx, http.MethodPost, "/activities/batch", nil, nil, req, &resp); err != nil {
			return nil, err
		}
		if len(resp.Results) != len(chunk) {
			return nil, fmt.Errorf("restcrm: POST /activities/batch: %d results for %d activities", len(resp.Results), len(chunk))
		}
		for i, r := range resp.Results {
			res := adapters.UpsertResult{Key: chunk[i].Key}
			switch {
			case r.Error != nil:
				res.Err = adapters.Errorf(codeOfItemError(r.Error.Code), "restcrm: %s: %s", r.Error.Code, r.Error.Message)
			case r.Activity == nil:
				res.Err = fmt.Errorf("restcrm: POST /activities/batch: result %d has neither activity nor error", i)
			default:
				res.Activity, res.Created = fromAPI(*r.Activity), r.Created
			}
			results = append(results, res)
		}
	}
	return results, nil
}

// UpdateTimes changes each activity's times under If-Match. A refused
// token fails the whole call (nothing else would work either); every
// other failure is the change's own.
func (s *Sink) UpdateTimes(ctx context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	results := make([]adapters.ChangeResult, 0, len(changes))
	for _, ch := range changes {
		var header http.Header
		if ch.IfVersion != "" {
			header = http.Header{"If-Match": {ch.IfVersion}}
		}
		var got apiActivity
		err := s.c.do(ctx, http.MethodPatch, "/activities/"+url.PathEscape(ch.ID)+"/times", nil, header, timesOf(ch.Raster), &got)
		if adapters.CodeOf(err) == adapters.CodeUnauthorized || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		results = append(results, adapters.ChangeResult{ID: ch.ID, Version: got.Version, Err: err})
	}
	return results, nil
}

// Close releases idle connections. Safe to call more than once.
func (s *Sink) Close() error {
	s.c.http.CloseIdleConnections()
	return nil
}

var _ adapters.Sink = (*Sink)(nil)
