package config

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Config is a loaded, expanded and validated configuration. Every default
// is filled in, so callers read fields and never re-apply defaults.
type Config struct {
	// File is the path the configuration was loaded from, as given (it is
	// what error messages name).
	File string `json:"file"`
	// Dir is the absolute directory of File; relative paths in the file
	// were resolved against it.
	Dir string `json:"dir"`
	// State is the engine's state DSN (`state:`), default
	// "sqlite:./gwsync-data/state.db"; a sqlite path is absolute.
	State string `json:"state"`
	// CRM is the sink (`crm:`).
	CRM Plugin `json:"crm"`
	// PluginDir is where external plugins live (`plugin_dir:`), absolute;
	// "" means external plugins are disabled.
	PluginDir string `json:"plugin_dir,omitempty"`
	// Defaults apply to every user that does not override them.
	Defaults Defaults `json:"defaults"`
	// Users are the people whose groupware is synced; at least one.
	Users []User `json:"users"`
	// Serve configures the web client (`serve:`); defaults filled in.
	Serve Serve `json:"serve"`
	// Worker configures the River workers of `gwsync worker` and `gwsync
	// serve` with a PostgreSQL state (`worker:`); defaults filled in.
	Worker Worker `json:"worker"`

	// byName indexes Users by name (set by Load): every job looks its
	// user up, and a scan of 10,000 users per job is what a worker then
	// spends most on. A config built by hand has none and is scanned.
	byName map[string]int
}

// Worker is the `worker:` block: how a process works sync jobs from the
// PostgreSQL queue. How often automatic users are synced is
// serve.interval.
type Worker struct {
	// Concurrency is how many users' syncs one process runs at once.
	Concurrency int `json:"concurrency"`
	// RescueAfter is how long a sync job may be running before another
	// worker takes it over, its worker taken for dead.
	RescueAfter time.Duration `json:"rescue_after"`
	// LeaseTTL is how long a user's lease outlives its holder's last
	// renewal: how long a killed holder keeps the user.
	LeaseTTL time.Duration `json:"lease_ttl"`
	// ShutdownGrace is how long running syncs may finish after SIGTERM
	// before they are cancelled and handed back to the queue.
	ShutdownGrace time.Duration `json:"shutdown_grace"`
}

// MarshalJSON writes the durations in the YAML notation ("2m").
func (w Worker) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Concurrency   int    `json:"concurrency"`
		RescueAfter   string `json:"rescue_after"`
		LeaseTTL      string `json:"lease_ttl"`
		ShutdownGrace string `json:"shutdown_grace"`
	}{w.Concurrency, formatDuration(w.RescueAfter), formatDuration(w.LeaseTTL), formatDuration(w.ShutdownGrace)})
}

// Serve is the `serve:` block: how `gwsync serve` listens and how often
// it syncs the users with automatic matching.
type Serve struct {
	// Address is host:port to listen on, default DefaultServeAddress.
	Address string `json:"address"`
	// TLSCert and TLSKey are PEM files (absolute); both or neither. With
	// them the client speaks HTTPS and its cookies are Secure.
	TLSCert string `json:"tls_cert,omitempty"`
	TLSKey  string `json:"tls_key,omitempty"`
	// Interval is how often automatic users are synced.
	Interval time.Duration `json:"interval"`
	// MaxSessions bounds the logged-in sessions kept in memory.
	MaxSessions int `json:"max_sessions"`
	// MetricsTokenFile holds the bearer token /metrics asks for
	// (absolute); "" means /metrics is open to whoever reaches it.
	MetricsTokenFile string `json:"metrics_token_file,omitempty"`
	// MetricsAddress serves /metrics on a host:port of its own instead
	// of the web client's address.
	MetricsAddress string `json:"metrics_address,omitempty"`
	// SecretKeyFile (absolute) holds the master key every replica of the
	// web client shares: it signs the login form's token and the
	// known-device cookie, and seals typed passwords in a shared session
	// store (internal/secretbox.LoadKeyFile reads it). "" means a random
	// key per process, which only a single replica can use.
	SecretKeyFile string `json:"secret_key_file,omitempty"`
}

// MarshalJSON writes the interval in the YAML notation ("15m").
func (s Serve) MarshalJSON() ([]byte, error) {
	type plain Serve
	return json.Marshal(struct {
		plain
		Interval string `json:"interval"`
	}{plain(s), formatDuration(s.Interval)})
}

// Defaults are the `defaults:` block.
type Defaults struct {
	Window   Window `json:"window"`
	Conflict string `json:"conflict"`
	TimeZone string `json:"time_zone"`
	// PrivateItems is what becomes of private items: skip, busy, import.
	PrivateItems string `json:"private_items"`
	// CRMFullCheck is how often a user's run lists the CRM in full, the
	// consistency check that finds activities deleted in the CRM (a CRM
	// with a change cursor is otherwise listed by change).
	CRMFullCheck time.Duration `json:"crm_full_check"`
	// Editable are the keys (EditableKeys) every user may change on the
	// web client's preferences page unless the user's entry says
	// otherwise; default none.
	Editable []string `json:"editable,omitempty"`
}

// MarshalJSON writes crm_full_check as the file does ("24h").
func (d Defaults) MarshalJSON() ([]byte, error) {
	type plain Defaults
	return json.Marshal(struct {
		plain
		CRMFullCheck string `json:"crm_full_check"`
	}{plain(d), formatDuration(d.CRMFullCheck)})
}

// Window bounds which calendar items are synced, relative to now.
type Window struct {
	Past   time.Duration
	Future time.Duration
}

// Plugin is one adapter instance: the CRM or one of a user's sources.
// InProcessCRM is the built-in CRM that runs inside the gwsync process
// unless its entry says in_process: false. It is gwsync's own store, not
// a parser of groupware input, so the process boundary contains nothing
// there, and sparing the child saves a process start on every run and the
// wire on every activity (issue 13's decision).
const InProcessCRM = "crmsql"

type Plugin struct {
	// Name is the instance name, unique among a user's sources ("crm" for
	// the CRM unless set).
	Name string `json:"name"`
	// Plugin is the registered adapter or external plugin name.
	Plugin string `json:"plugin"`
	// InProcess runs a built-in adapter inside the engine process instead
	// of in a child process. Unset, it is false, except for the CRM when
	// it is InProcessCRM.
	InProcess bool `json:"in_process"`
	// SHA256 pins an external plugin's executable (lower-case hex).
	SHA256 string `json:"sha256,omitempty"`
	// Options is the `options:` mapping as JSON, with env references
	// expanded and paths made absolute; nil when absent.
	Options json.RawMessage `json:"options,omitempty"`
	// Line is the line of the plugin's mapping in Config.File.
	Line int `json:"line"`

	optionLines map[string]int
}

// OptionLine returns the line of a top-level option key, or p.Line when
// the key is not in the options, so that a caller that rejects an option
// can still point at the plugin.
func (p Plugin) OptionLine(key string) int {
	if l, ok := p.optionLines[key]; ok {
		return l
	}
	return p.Line
}

// String is how a plugin instance shows in messages: "name (plugin)".
func (p Plugin) String() string {
	return fmt.Sprintf("%s (%s)", p.Name, p.Plugin)
}

// User is one entry of `users:`.
type User struct {
	Name              string   `json:"name"`
	Email             string   `json:"email,omitempty"`
	TimeZone          string   `json:"time_zone"`
	AutomaticMatching bool     `json:"automatic_matching"`
	Areas             []string `json:"areas"`
	Conflict          string   `json:"conflict"`
	// PrivateItems is what becomes of private items: skip (default),
	// busy (times only, as "Private appointment"), import.
	PrivateItems string `json:"private_items"`
	Window       Window `json:"window"`
	// ExportTo names the source that receives CRM appointments; "" means
	// nothing is exported.
	ExportTo string `json:"export_to,omitempty"`
	// Exclude is the never-log list: addresses ("bob@example.com") and
	// domains ("@example.com") that never become CRM contacts; a message
	// between the user and excluded addresses only (internal mail) is not
	// imported.
	Exclude []string `json:"exclude,omitempty"`
	// Editable are the keys (EditableKeys) the user may change on the
	// web client's preferences page; their stored values then take the
	// place of the config's (package prefs). Default: defaults.editable.
	Editable []string `json:"editable,omitempty"`
	Sources  []Plugin `json:"sources"`
	// PasswordHash is the bcrypt hash of the user's web client password
	// (`gwsync passwd` prints one); "" means the user cannot log in.
	PasswordHash string `json:"password_hash,omitempty"`
	// Admin users may read the server's profiles (/debug/pprof/) after
	// logging in to the web client; nothing else differs.
	Admin bool `json:"admin,omitempty"`
	// Line is the line of the user's mapping in Config.File.
	Line int `json:"line"`
}

// Source returns the user's source with that instance name.
func (u *User) Source(name string) (*Plugin, bool) {
	for i := range u.Sources {
		if u.Sources[i].Name == name {
			return &u.Sources[i], true
		}
	}
	return nil, false
}

// User returns the configured user with that name. The error lists the
// names that are configured, so a typo on the command line is easy to fix.
func (c *Config) User(name string) (*User, error) {
	if i, ok := c.byName[name]; ok && i < len(c.Users) && c.Users[i].Name == name {
		return &c.Users[i], nil
	}
	for i := range c.Users {
		if c.Users[i].Name == name {
			return &c.Users[i], nil
		}
	}
	// Only a miss lists the names (for the message).
	names := make([]string, 0, len(c.Users))
	for i := range c.Users {
		names = append(names, c.Users[i].Name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("no user %q in %s (configured: %s)", name, c.File, strings.Join(names, ", "))
}

// indexUsers sets byName (see Config).
func (c *Config) indexUsers() {
	c.byName = make(map[string]int, len(c.Users))
	for i := range c.Users {
		if _, dup := c.byName[c.Users[i].Name]; !dup {
			c.byName[c.Users[i].Name] = i // the first, as a scan finds
		}
	}
}

// MarshalJSON writes the window as {"past":"30d","future":"365d"}, the
// same notation the YAML uses, so a printed config can be read back.
func (w Window) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Past   string `json:"past"`
		Future string `json:"future"`
	}{formatDuration(w.Past), formatDuration(w.Future)})
}

// UnmarshalJSON reads what MarshalJSON writes. Errors: a value that is not
// a duration in the YAML notation.
func (w *Window) UnmarshalJSON(data []byte) error {
	var v struct {
		Past   string `json:"past"`
		Future string `json:"future"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	past, err := parseDuration(v.Past)
	if err != nil {
		return err
	}
	future, err := parseDuration(v.Future)
	if err != nil {
		return err
	}
	*w = Window{Past: past, Future: future}
	return nil
}
