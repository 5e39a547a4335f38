package all_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/caldav"
	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/adapters/exchange"
	"github.com/gwsync/gwsync/adapters/files"
	"github.com/gwsync/gwsync/adapters/imap"
	"github.com/gwsync/gwsync/adapters/memory"
)

// optionStructs are the structs each built-in adapter decodes its
// `options:` block into. A new adapter must be added here: the test fails
// for a registered adapter without an entry.
var optionStructs = map[string]any{
	"caldav":   caldav.Options{},
	"crmsql":   crmsql.Options{},
	"exchange": exchange.Options{},
	"files":    files.Options{},
	"imap":     imap.Options{},
	"memory":   memory.Options{},
}

// Every key an adapter decodes is declared at registration with its type,
// and nothing else is declared, so that the declarations (secrets, logins)
// cannot drift from what the adapter reads.
func TestDeclaredOptionsMatchTheOptionsStructs(t *testing.T) {
	for _, r := range adapters.Registered() {
		v, ok := optionStructs[r.Name]
		if !ok {
			t.Errorf("%s: no options struct listed in this test", r.Name)
			continue
		}
		decoded := jsonKeys(reflect.TypeOf(v))
		for name, typ := range decoded {
			o, declared := r.Option(name)
			switch {
			case !declared:
				t.Errorf("%s: option %q is decoded but not declared", r.Name, name)
			case o.Type != typ:
				t.Errorf("%s: option %q is declared %s but decoded as %s", r.Name, name, o.Type, typ)
			}
			if declared && strings.TrimSpace(o.Help) == "" {
				t.Errorf("%s: option %q has no help", r.Name, name)
			}
		}
		for _, o := range r.Options {
			if _, ok := decoded[o.Name]; !ok {
				t.Errorf("%s: option %q is declared but never decoded", r.Name, o.Name)
			}
			if o.Secret && o.SecretFile || (o.Secret || o.SecretFile) && o.Login {
				t.Errorf("%s: option %q: Secret, SecretFile and Login exclude each other", r.Name, o.Name)
			}
		}
	}
}

// jsonKeys maps each key encoding/json decodes into t (embedded structs
// flattened) to its OptionType.
func jsonKeys(t reflect.Type) map[string]adapters.OptionType {
	out := map[string]adapters.OptionType{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonKeys(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = optionType(f.Type)
	}
	return out
}

func optionType(t reflect.Type) adapters.OptionType {
	switch t.Kind() {
	case reflect.String:
		return adapters.TypeString
	case reflect.Bool:
		return adapters.TypeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return adapters.TypeInt
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return adapters.TypeStrings
		}
	}
	return adapters.TypeData
}
