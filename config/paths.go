package config

import (
	"path/filepath"
	"strings"
)

// isPathOption reports whether an option key names a file system path
// that is made absolute: the convention is a _dir, _file or _path suffix.
func isPathOption(key string) bool {
	return strings.HasSuffix(key, "_dir") || strings.HasSuffix(key, "_file") || strings.HasSuffix(key, "_path")
}

// absPath resolves a relative path against dir. "" stays "" (an unset
// path), and absolute paths are kept as written.
func absPath(p, dir string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// absSQLiteDSN makes the file of a "sqlite:PATH[?query]" DSN absolute,
// writing it as "sqlite:/abs/PATH". "sqlite://PATH" means the same as
// "sqlite:PATH" (crmsql accepts both). Other schemes, in-memory databases
// (":memory:") and SQLite URI names ("file:...") are returned unchanged;
// ok reports whether s is sqlite.
func absSQLiteDSN(s, dir string) (dsn string, ok bool) {
	rest, ok := strings.CutPrefix(s, "sqlite:")
	if !ok {
		return s, false
	}
	if rest == "" || strings.HasPrefix(rest, ":memory:") || strings.HasPrefix(rest, "file:") {
		return s, true
	}
	if after, ok := strings.CutPrefix(rest, "//"); ok {
		rest = after
	}
	file, query, hasQuery := strings.Cut(rest, "?")
	out := "sqlite:" + absPath(file, dir)
	if hasQuery {
		out += "?" + query
	}
	return out, true
}
