package config

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gwsync/gwsync/engine"
)

// Defaults that apply when the file does not say otherwise.
const (
	DefaultState    = "sqlite:./gwsync-data/state.db"
	DefaultConflict = string(engine.DefaultPolicy)
	DefaultTimeZone = "UTC"
	DefaultCRMName  = "crm"
	// DefaultPrivateItems keeps private items out of the shared CRM.
	DefaultPrivateItems = "skip"
	// DefaultCRMFullCheck lists the CRM in full once a day.
	DefaultCRMFullCheck = 24 * time.Hour
)

// PrivateItemsPolicies are the values of private_items (engine.PrivatePolicy).
var PrivateItemsPolicies = []string{"skip", "busy", "import"}

// DefaultWindow is the sync window when none is configured.
var DefaultWindow = Window{Past: 30 * day, Future: 365 * day}

// Keys of each mapping, in the order they are documented.
var (
	topKeys      = []string{"state", "crm", "plugin_dir", "defaults", "users", "serve", "worker"}
	defaultsKeys = []string{"window", "conflict", "time_zone", "private_items", "crm_full_check", "editable"}
	windowKeys   = []string{"past", "future"}
	userKeys     = []string{"name", "email", "time_zone", "automatic_matching", "areas", "conflict", "window", "export_to", "sources", "password_hash", "exclude", "private_items", "admin", "editable"}
	pluginKeys   = []string{"name", "plugin", "in_process", "sha256", "options"}
)

// extensionPrefix marks top-level keys that gwsync ignores, so that a file
// can keep YAML anchors in one place (x-common: &common {...}), as
// docker-compose files do.
const extensionPrefix = "x-"

// decodeFile decodes the document's root mapping into c.
func (d *decoder) decodeFile(root *yaml.Node, c *Config) {
	es, ok := d.entries(root, "")
	if !ok {
		return
	}
	f := map[string]*yaml.Node{}
	for _, e := range es {
		switch {
		case contains(topKeys, e.key.Value):
			f[e.key.Value] = e.val
		case !strings.HasPrefix(e.key.Value, extensionPrefix):
			d.unknownKey(e, "", topKeys)
		}
	}
	c.State = DefaultState
	if n := f["state"]; n != nil {
		if s, ok := d.str(n, "state"); ok {
			c.State = s
		}
		d.checkState(resolve(n).Line, c.State)
	}
	c.State, _ = absSQLiteDSN(c.State, d.dir)

	if n := f["plugin_dir"]; n != nil {
		if s, ok := d.str(n, "plugin_dir"); ok && s != "" {
			c.PluginDir = absPath(s, d.dir)
		}
	}
	c.Defaults = d.decodeDefaults(f["defaults"])
	c.Serve = d.decodeServe(f["serve"])
	c.Worker = d.decodeWorker(f["worker"])

	if n := f["crm"]; n != nil && !isNull(resolve(n)) {
		c.CRM = d.decodePlugin(n, "crm", false)
		if c.CRM.Name == "" {
			c.CRM.Name = DefaultCRMName
		}
	} else {
		d.required(root, "crm")
	}

	if n := f["users"]; n != nil && !isNull(resolve(n)) {
		c.Users = d.decodeUsers(n, c.Defaults)
	} else {
		d.required(root, "users")
	}
}

// decodeDefaults reads `defaults:`; absent keys keep the built-in values.
func (d *decoder) decodeDefaults(n *yaml.Node) Defaults {
	def := Defaults{Window: DefaultWindow, Conflict: DefaultConflict, TimeZone: DefaultTimeZone, PrivateItems: DefaultPrivateItems, CRMFullCheck: DefaultCRMFullCheck}
	if n == nil || isNull(resolve(n)) {
		return def
	}
	f, ok := d.fields(n, "defaults", defaultsKeys...)
	if !ok {
		return def
	}
	def.Window = d.decodeWindow(f["window"], "defaults.window", def.Window)
	def.Conflict = d.conflict(f["conflict"], "defaults.conflict", def.Conflict)
	def.TimeZone = d.timeZone(f["time_zone"], "defaults.time_zone", def.TimeZone)
	def.PrivateItems = d.oneOf(f["private_items"], "defaults.private_items", PrivateItemsPolicies, def.PrivateItems)
	if v, ok := d.duration(f["crm_full_check"], "defaults.crm_full_check"); ok {
		if v < time.Minute {
			d.errs.add(resolve(f["crm_full_check"]).Line, "defaults.crm_full_check", "must be at least 1m")
		} else {
			def.CRMFullCheck = v
		}
	}
	def.Editable = d.editable(f["editable"], "defaults.editable", def.Editable)
	return def
}

// decodeWindow reads a window; each of past and future may be given
// alone, the other keeps its value from base.
func (d *decoder) decodeWindow(n *yaml.Node, path string, base Window) Window {
	if n == nil || isNull(resolve(n)) {
		return base
	}
	f, ok := d.fields(n, path, windowKeys...)
	if !ok {
		return base
	}
	w := base
	if v, ok := d.duration(f["past"], join(path, "past")); ok {
		w.Past = v
	}
	if v, ok := d.duration(f["future"], join(path, "future")); ok {
		w.Future = v
	}
	return w
}

// decodeUsers reads `users:` and checks that names are unique.
func (d *decoder) decodeUsers(n *yaml.Node, def Defaults) []User {
	items, ok := d.list(n, "users")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errs.add(resolve(n).Line, "users", "at least one user is required")
	}
	users := make([]User, 0, len(items))
	firstLine := map[string]int{}
	for i, item := range items {
		path := index("users", i)
		u := d.decodeUser(item, path, def)
		if u.Name != "" {
			nameLine := keyLine(item, "name")
			if l, dup := firstLine[u.Name]; dup {
				d.errs.add(nameLine, join(path, "name"), "duplicate user %q (first at line %d)", u.Name, l)
			} else {
				firstLine[u.Name] = nameLine
			}
		}
		users = append(users, u)
	}
	return users
}

// decodeUser reads one user, filling in the defaults.
func (d *decoder) decodeUser(n *yaml.Node, path string, def Defaults) User {
	u := User{Line: resolve(n).Line, TimeZone: def.TimeZone, Conflict: def.Conflict, Window: def.Window, PrivateItems: def.PrivateItems,
		Editable: def.Editable}
	f, ok := d.fields(n, path, userKeys...)
	if !ok {
		return u
	}
	u.Name = d.name(f["name"], n, join(path, "name"))
	if s, ok := d.str(f["email"], join(path, "email")); ok && s != "" {
		u.Email = d.email(resolve(f["email"]).Line, join(path, "email"), s)
	}
	u.TimeZone = d.timeZone(f["time_zone"], join(path, "time_zone"), u.TimeZone)
	u.AutomaticMatching, _ = d.boolean(f["automatic_matching"], join(path, "automatic_matching"))
	u.Admin, _ = d.boolean(f["admin"], join(path, "admin"))
	u.Areas = d.areas(f["areas"], join(path, "areas"))
	u.Conflict = d.conflict(f["conflict"], join(path, "conflict"), u.Conflict)
	u.PrivateItems = d.oneOf(f["private_items"], join(path, "private_items"), PrivateItemsPolicies, u.PrivateItems)
	u.Window = d.decodeWindow(f["window"], join(path, "window"), u.Window)
	u.Sources = d.decodeSources(f["sources"], n, join(path, "sources"))
	if s, ok := d.str(f["export_to"], join(path, "export_to")); ok && s != "" {
		u.ExportTo = s
		d.checkExportTo(resolve(f["export_to"]).Line, join(path, "export_to"), &u)
	}
	u.Exclude = d.exclude(f["exclude"], join(path, "exclude"))
	u.Editable = d.editable(f["editable"], join(path, "editable"), u.Editable)
	if s, ok := d.str(f["password_hash"], join(path, "password_hash")); ok && s != "" {
		u.PasswordHash = d.passwordHash(resolve(f["password_hash"]).Line, join(path, "password_hash"), s)
	}
	return u
}

// decodeSources reads a user's sources; instance names must be unique
// within the user because state links are keyed by them.
func (d *decoder) decodeSources(n, user *yaml.Node, path string) []Plugin {
	if n == nil || isNull(resolve(n)) {
		d.required(user, path)
		return nil
	}
	items, ok := d.list(n, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errs.add(resolve(n).Line, path, "at least one source is required")
	}
	sources := make([]Plugin, 0, len(items))
	firstLine := map[string]int{}
	for i, item := range items {
		p := d.decodePlugin(item, index(path, i), true)
		if p.Name != "" {
			nameLine := keyLine(item, "name")
			if l, dup := firstLine[p.Name]; dup {
				d.errs.add(nameLine, join(index(path, i), "name"), "duplicate source name %q (first at line %d)", p.Name, l)
			} else {
				firstLine[p.Name] = nameLine
			}
		}
		sources = append(sources, p)
	}
	return sources
}

// decodePlugin reads a plugin instance. needName says whether `name:` is
// required (it is for sources; the CRM defaults to "crm").
func (d *decoder) decodePlugin(n *yaml.Node, path string, needName bool) Plugin {
	p := Plugin{Line: resolve(n).Line}
	f, ok := d.fields(n, path, pluginKeys...)
	if !ok {
		return p
	}
	if f["name"] != nil || needName {
		p.Name = d.name(f["name"], n, join(path, "name"))
	}
	if s, ok := d.str(f["plugin"], join(path, "plugin")); ok && s != "" {
		p.Plugin = s
		d.checkPluginName(resolve(f["plugin"]).Line, join(path, "plugin"), s)
	} else if ok || isNull(resolve(f["plugin"])) {
		d.required(n, join(path, "plugin"))
	}
	p.InProcess, _ = d.boolean(f["in_process"], join(path, "in_process"))
	if s, ok := d.str(f["sha256"], join(path, "sha256")); ok && s != "" {
		p.SHA256 = d.sha256(resolve(f["sha256"]).Line, join(path, "sha256"), s, p.InProcess)
	}
	if f["in_process"] == nil && !needName && p.Plugin == InProcessCRM && p.SHA256 == "" {
		p.InProcess = true
	}
	if f["options"] != nil {
		p.Options, p.optionLines, _ = d.options(f["options"], join(path, "options"))
	}
	return p
}
