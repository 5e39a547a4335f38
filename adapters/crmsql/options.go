package crmsql

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gwsync/gwsync/adapters"
	"github.com/jackc/pgx/v5"
)

// Options are the crmsql adapter's `options:` block.
type Options struct {
	// DSN names the database: "sqlite:PATH" or a bare PATH for a SQLite
	// file, "postgres://..." (or "postgresql://...") for PostgreSQL.
	DSN string `json:"dsn"`
	// Schema is, on PostgreSQL, the schema that holds the CRM tables
	// (created if missing); "" means the connection's default (public).
	// It lets the CRM live in an existing database beside other tables.
	Schema string `json:"schema"`
	// CreateContacts makes Upsert create a contact for an address the CRM
	// does not know. The default (false) links only contacts that exist,
	// so that importing mail does not flood the CRM with every sender.
	CreateContacts bool `json:"create_contacts"`
}

// target is where a Store's database is, as the options name it.
type target struct {
	dialect *dialect
	path    string          // SQLite: the file
	pg      *pgx.ConnConfig // PostgreSQL: parsed DSN (holds the password: never print it)
	schema  string          // PostgreSQL: Options.Schema
	// label names the database in errors and logs: the file, or
	// "host:port/db" (with the schema) without user or password.
	label string
	// secrets are the texts error messages must not carry (the password
	// as written and URL-escaped).
	secrets []string
}

// schemaName is what the schema option accepts: an unquoted PostgreSQL
// identifier, lower case (PostgreSQL folds unquoted names to lower case, so
// "Sales" would silently be a second schema beside "sales" once quoted).
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// parseTarget reads the dsn and schema options without any I/O. Errors:
// InvalidConfig naming the option: an empty dsn, one that names no file
// (an empty path would make SQLite open a throw-away temporary database
// and lose everything written), an unparsable PostgreSQL DSN (quoted
// without its password), a schema that is no plain lower-case name, or a
// schema with a SQLite dsn.
func parseTarget(dsn, schema string) (target, error) {
	trimmed := strings.TrimSpace(dsn)
	if strings.HasPrefix(trimmed, "postgres://") || strings.HasPrefix(trimmed, "postgresql://") {
		return parsePostgresTarget(trimmed, schema)
	}
	if schema != "" {
		return target{}, adapters.Errorf(adapters.CodeInvalidConfig,
			"crmsql: option schema applies to a PostgreSQL dsn (postgres://...), not to %q", dsn)
	}
	path, err := pathFromDSN(dsn)
	if err != nil {
		return target{}, err
	}
	return target{dialect: sqliteDialect, path: path, label: path}, nil
}

func parsePostgresTarget(dsn, schema string) (target, error) {
	secrets := dsnSecrets(dsn)
	if schema != "" && !schemaName.MatchString(schema) {
		return target{}, adapters.Errorf(adapters.CodeInvalidConfig,
			"crmsql: option schema %q must be a lower-case name of letters, digits and _ (at most 63)", schema)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return target{}, adapters.Wrap(adapters.CodeInvalidConfig, redact(err, secrets),
			"crmsql: option dsn "+strconv.Quote(redactText(dsn, secrets)))
	}
	if cfg.Password != "" {
		secrets = appendSecret(secrets, cfg.Password)
	}
	label := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database
	if schema != "" {
		label += " schema " + schema
	}
	return target{dialect: postgresDialect, pg: cfg, schema: schema, label: label, secrets: secrets}, nil
}

// dsnSecrets finds the password of a URL-form DSN, as written (escaped)
// and decoded, so neither form reaches an error message.
func dsnSecrets(dsn string) []string {
	rest := dsn[strings.Index(dsn, "//")+2:]
	if slash := strings.IndexAny(rest, "/?"); slash >= 0 && !strings.Contains(rest[slash:], "@") {
		rest = rest[:slash]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return nil
	}
	_, raw, ok := strings.Cut(rest[:at], ":")
	if !ok || raw == "" {
		return nil
	}
	secrets := []string{raw}
	if plain, err := url.PathUnescape(raw); err == nil && plain != "" {
		secrets = appendSecret(secrets, plain)
	}
	return secrets
}

func appendSecret(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// pathFromDSN turns a dsn option into a file path. It accepts "sqlite:PATH",
// "sqlite://PATH" and a bare PATH. Errors: InvalidConfig naming the option
// when the dsn is empty or names no file.
func pathFromDSN(dsn string) (string, error) {
	p := strings.TrimSpace(dsn)
	if rest, ok := strings.CutPrefix(p, "sqlite:"); ok {
		p = strings.TrimPrefix(rest, "//")
	}
	switch {
	case dsn == "":
		return "", adapters.Errorf(adapters.CodeInvalidConfig, "crmsql: option dsn is required (\"sqlite:PATH\", a file path or \"postgres://...\")")
	case p == "" || p == ":memory:" || strings.HasPrefix(p, "file:"):
		return "", adapters.Errorf(adapters.CodeInvalidConfig, "crmsql: option dsn %q must name a database file (\"sqlite:PATH\" or a file path)", dsn)
	}
	return p, nil
}
