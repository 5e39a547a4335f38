package credentials_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/credentials"
)

// echoSource repeats its password in every error, as a chatty server does.
type echoSource struct{ pw string }

func (s echoSource) Info(context.Context) (adapters.Info, error) {
	return adapters.Info{Name: "echo"}, adapters.Errorf(adapters.CodeUnauthorized, "login with %s refused", s.pw)
}

func (s echoSource) Snapshot(context.Context, adapters.SnapshotRequest, func(adapters.Item) error) (adapters.SnapshotEnd, error) {
	return adapters.SnapshotEnd{}, adapters.Errorf(adapters.CodeTemporary, "server said: bad auth %s", s.pw)
}

func (s echoSource) PutTimes(_ context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	out := make([]adapters.ChangeResult, len(changes))
	for i, c := range changes {
		out[i] = adapters.ChangeResult{ID: c.ID, Err: adapters.Errorf(adapters.CodeConflict, "%s: precondition failed for %s", c.ID, s.pw)}
	}
	return out, nil
}

func (s echoSource) Close() error { return nil }

// Every error of a wrapped source loses the secret and keeps its code; a
// capability the source lacks stays unsupported; no secret, no wrapper.
func TestRedactSourceHidesSecretsInEveryError(t *testing.T) {
	const pw = "s3cret-pw"
	src := credentials.RedactSource(echoSource{pw: pw}, []string{"", pw})
	ctx := context.Background()
	check := func(what string, err error, code adapters.Code) {
		t.Helper()
		if err == nil || strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "[redacted]") || adapters.CodeOf(err) != code {
			t.Errorf("%s: %v (%s), want %s with the password redacted", what, err, adapters.CodeOf(err), code)
		}
	}
	_, err := src.Info(ctx)
	check("Info", err, adapters.CodeUnauthorized)
	_, err = src.Snapshot(ctx, adapters.SnapshotRequest{}, func(adapters.Item) error { return nil })
	check("Snapshot", err, adapters.CodeTemporary)
	results, err := src.(adapters.TimeWriter).PutTimes(ctx, []adapters.TimeChange{{ID: "a"}, {ID: "b"}})
	if err != nil || len(results) != 2 {
		t.Fatalf("PutTimes: %v %v", results, err)
	}
	for _, r := range results {
		check("PutTimes "+r.ID, r.Err, adapters.CodeConflict)
	}
	if _, err := src.(adapters.Exporter).Export(ctx, nil); adapters.CodeOf(err) != adapters.CodeUnsupported {
		t.Errorf("Export on a source that cannot: %v, want Unsupported", err)
	}
	plain := echoSource{pw: pw}
	if got := credentials.RedactSource(plain, []string{""}); got != adapters.Source(plain) {
		t.Errorf("no secret: got a wrapper %T, want the source itself", got)
	}
}
