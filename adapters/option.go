package adapters

// OptionType is how an option's value is written under `options:`.
type OptionType string

const (
	TypeString  OptionType = "string"  // text, including URLs and paths
	TypeBool    OptionType = "bool"    // true or false
	TypeInt     OptionType = "int"     // a whole number
	TypeStrings OptionType = "strings" // a list of strings
	TypeData    OptionType = "data"    // structured data (lists of objects), for tests and seeding
)

// Option declares one key of an adapter's `options:` block, as rclone's
// fs.Option does. Every key the adapter's options struct decodes is
// declared, and nothing else (adapters/all tests it), so what is said
// about secrets and logins here is what the adapter reads.
type Option struct {
	Name string
	Type OptionType
	// Default is the value an absent key means, as written in the YAML;
	// "" when there is none or it depends on other options.
	Default string
	// Secret marks a value that is itself a credential (password, token):
	// it is never logged and is redacted from errors and printed output.
	Secret bool
	// SecretFile marks a value that names a file holding a credential: it
	// supplies the credential like a Secret, but the path is not secret.
	SecretFile bool
	// Login marks an option (username, url) that, set without any Secret
	// or SecretFile option, means the user must type a password.
	Login bool
	// Help is one line for `gwsync plugin list` and the docs.
	Help string
}

// Option returns the declared option with that name.
func (r Registration) Option(name string) (Option, bool) {
	for _, o := range r.Options {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}
