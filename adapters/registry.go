package adapters

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// Config is what a constructor gets: the instance's name and options from
// the YAML, and the environment it runs in.
type Config struct {
	// Name is the instance name from the YAML ("exports", "work-calendar").
	Name string
	// Options is the adapter's `options:` block, as JSON. Decode it with
	// DecodeOptions so that a misspelt key is an error.
	Options json.RawMessage
	// TimeZone is the user's zone (IANA), for floating times.
	TimeZone string
	// Logger is where the adapter logs; never nil.
	Logger hclog.Logger
}

// Registration announces a built-in adapter. At least one of NewSource and
// NewSink is set. Constructors must not do I/O: they decode and check
// options, and the first method call connects.
type Registration struct {
	Name        string
	Description string
	// Options declares every key of the adapter's `options:` block
	// (which are secrets, which are logins; see Option).
	Options []Option
	// Kinds lists every kind of item a source of this adapter can hold
	// (an instance may hold fewer: its Info says which). The engine reads
	// it before it connects, so that a run for other areas never touches
	// the source. Empty means unknown: the engine asks Info.
	Kinds     []Kind
	NewSource func(Config) (Source, error)
	NewSink   func(Config) (Sink, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Registration{}
)

// Register adds an adapter. It is called from init() and panics on a
// missing name, no constructor, or a duplicate name, so that a bad build
// fails at start rather than at run time.
func Register(r Registration) {
	if r.Name == "" {
		panic("adapters: Register with empty name")
	}
	if r.NewSource == nil && r.NewSink == nil {
		panic("adapters: Register " + r.Name + " with no constructor")
	}
	seen := map[string]bool{}
	for _, o := range r.Options {
		if o.Name == "" || seen[o.Name] {
			panic("adapters: Register " + r.Name + " with an empty or duplicate option name " + o.Name)
		}
		seen[o.Name] = true
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[r.Name]; dup {
		panic("adapters: Register called twice for " + r.Name)
	}
	registry[r.Name] = r
}

// Lookup finds a registered adapter by name.
func Lookup(name string) (Registration, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	r, ok := registry[name]
	return r, ok
}

// Registered lists every registered adapter, sorted by name.
func Registered() []Registration {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Registration, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// UnknownError is the error for an adapter name nobody registered; it
// lists the names that are.
func UnknownError(name string) error {
	var names []string
	for _, r := range Registered() {
		names = append(names, r.Name)
	}
	return Errorf(CodeInvalidConfig, "unknown plugin %q (available: %v)", name, names)
}

// DecodeOptions decodes an options block strictly into v: an unknown key is
// an InvalidConfig error naming the key. Empty options leave v as it is.
func DecodeOptions(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Errorf(CodeInvalidConfig, "options: %s", trimJSONErr(err))
	}
	return nil
}

func trimJSONErr(err error) string {
	s := err.Error()
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// NewSource builds a registered source.
func NewSource(plugin string, cfg Config) (Source, error) {
	r, ok := Lookup(plugin)
	if !ok {
		return nil, UnknownError(plugin)
	}
	if r.NewSource == nil {
		return nil, Errorf(CodeInvalidConfig, "plugin %q is not a groupware source", plugin)
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	return r.NewSource(cfg)
}

// NewSink builds a registered sink.
func NewSink(plugin string, cfg Config) (Sink, error) {
	r, ok := Lookup(plugin)
	if !ok {
		return nil, UnknownError(plugin)
	}
	if r.NewSink == nil {
		return nil, Errorf(CodeInvalidConfig, "plugin %q is not a CRM sink", plugin)
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	return r.NewSink(cfg)
}

// String is how a registration shows in `gwsync plugin list`.
func (r Registration) String() string {
	role := "source"
	switch {
	case r.NewSource != nil && r.NewSink != nil:
		role = "source+sink"
	case r.NewSink != nil:
		role = "sink"
	}
	return fmt.Sprintf("%-10s %-12s %s", r.Name, role, r.Description)
}
