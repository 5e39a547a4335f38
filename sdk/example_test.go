package sdk_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/plugins"
	"github.com/gwsync/gwsync/sdk"
)

// notebookCRM is a complete CRM sink: activities in a map, idempotent by
// Key, with a version that changes on every write. A real one would call
// the CRM's API where this touches the map.
type notebookCRM struct {
	owner string // from the options

	mu    sync.Mutex
	byKey map[string]*adapters.Activity
	byID  map[string]*adapters.Activity
}

// newNotebookCRM is the NewSinkFunc: options decoded strictly, no I/O.
func newNotebookCRM(cfg adapters.Config) (adapters.Sink, error) {
	var o struct {
		Owner string `json:"owner"`
	}
	if err := adapters.DecodeOptions(cfg.Options, &o); err != nil {
		return nil, err // CodeInvalidConfig, naming the bad option
	}
	return &notebookCRM{owner: o.Owner, byKey: map[string]*adapters.Activity{}, byID: map[string]*adapters.Activity{}}, nil
}

func (c *notebookCRM) Info(context.Context) (adapters.Info, error) {
	return adapters.Info{Name: "notebook", Version: "1.0"}, nil
}

func (c *notebookCRM) ListActivities(_ context.Context, q adapters.ActivityQuery, emit func(adapters.Activity) error) (adapters.ListEnd, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, a := range c.byID {
		for _, o := range a.Owners {
			if o == q.Owner {
				if err := emit(*a); err != nil {
					return adapters.ListEnd{}, err
				}
				n++
				break
			}
		}
	}
	return adapters.ListEnd{Count: n}, nil
}

func (c *notebookCRM) Upsert(_ context.Context, acts []adapters.Activity) ([]adapters.UpsertResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]adapters.UpsertResult, len(acts))
	for i, a := range acts {
		if old, ok := c.byKey[a.Key]; ok && a.Key != "" {
			out[i] = adapters.UpsertResult{Key: a.Key, Activity: *old}
			continue
		}
		a.ID, a.Version = "A"+strconv.Itoa(len(c.byID)+1), "1"
		if len(a.Owners) == 0 {
			a.Owners = []string{c.owner}
		}
		c.byID[a.ID], c.byKey[a.Key] = &a, &a
		out[i] = adapters.UpsertResult{Key: a.Key, Activity: a, Created: true}
	}
	return out, nil
}

func (c *notebookCRM) UpdateTimes(_ context.Context, changes []adapters.TimeChange) ([]adapters.ChangeResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]adapters.ChangeResult, len(changes))
	for i, ch := range changes {
		a, ok := c.byID[ch.ID]
		switch {
		case !ok:
			out[i] = adapters.ChangeResult{ID: ch.ID, Err: adapters.Errorf(adapters.CodeNotFound, "activity %s is gone", ch.ID)}
		case ch.IfVersion != "" && ch.IfVersion != a.Version:
			out[i] = adapters.ChangeResult{ID: ch.ID, Err: adapters.Errorf(adapters.CodeConflict, "activity %s changed since version %s", ch.ID, ch.IfVersion)}
		default:
			v, _ := strconv.Atoi(a.Version)
			a.Raster, a.Version = ch.Raster, strconv.Itoa(v+1)
			out[i] = adapters.ChangeResult{ID: ch.ID, Version: a.Version}
		}
	}
	return out, nil
}

func (c *notebookCRM) Close() error { return nil }

// A sink plugin's main is one line, sdk.ServeSink(newNotebookCRM), built
// as gwsync-plugin-notebook. Here the host's side of the protocol talks to
// exactly what ServeSink serves (sdk.Sink), in process, as gwsync would
// over the plugin's socket: options as JSON in Configure, per-item errors
// with their codes in the results.
func ExampleServeSink() {
	// In the plugin:
	//
	//	func main() { sdk.ServeSink(newNotebookCRM) }
	conn, err := plugins.ServeInMemory(sdk.Sink(newNotebookCRM))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	crm, err := plugins.DialSink(ctx, conn, "notebook", adapters.Config{Options: []byte(`{"owner": "alice"}`)})
	if err != nil {
		panic(err)
	}
	defer crm.Close()

	mail := adapters.Activity{Key: "mid:42@example.com", Type: adapters.TypeMailIn, Subject: "Offer"}
	for range 2 { // the second is a retry: idempotent by Key
		res, _ := crm.Upsert(ctx, []adapters.Activity{mail})
		fmt.Println(res[0].Activity.ID, "created:", res[0].Created)
	}
	changes, _ := crm.UpdateTimes(ctx, []adapters.TimeChange{{ID: "A1", IfVersion: "7"}, {ID: "A9"}})
	for _, c := range changes {
		fmt.Println(c.ID, adapters.CodeOf(c.Err))
	}
	end, _ := crm.ListActivities(ctx, adapters.ActivityQuery{Owner: "alice"}, func(a adapters.Activity) error { return nil })
	fmt.Println("alice has", end.Count)
	// Output:
	// A1 created: true
	// A1 created: false
	// A1 conflict
	// A9 not-found
	// alice has 1
}

// A sink plugin refuses bad options when the host configures it, with
// CodeInvalidConfig; gwsync then stops before writing anything and names
// the config entry.
func ExampleSink_badOptions() {
	conn, _ := plugins.ServeInMemory(sdk.Sink(newNotebookCRM))
	_, err := plugins.DialSink(context.Background(), conn, "notebook", adapters.Config{Options: []byte(`{"ownr": "alice"}`)})
	fmt.Println(adapters.CodeOf(err))
	// Output: invalid-config
}
