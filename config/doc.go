// Package config reads gwsync's YAML configuration: which CRM to write to,
// where the engine keeps its state, and for each user the groupware sources
// to import from.
//
// Decoding is strict and exhaustive. An unknown key, a value of the wrong
// type, a missing required key or an invalid value is reported as an *Error
// naming FILE:LINE and the key path (users[0].sources[1].plugin), and every
// such error in the file is collected into one *Errors, sorted by line, so
// that a user fixes a file in one pass instead of one error per run.
//
// Two things are resolved while loading, so that the rest of gwsync never
// has to: ${env:NAME} references inside string values are replaced by the
// environment variable (an unset variable is an error; $${env:NAME} is a
// literal), and relative paths are made absolute against the directory of
// the configuration file (the `state:` DSN, `plugin_dir:`, and in adapter
// options every value whose key ends in _dir, _file or _path, and a
// `dsn: sqlite:PATH`). The CLI can then run from any directory.
//
// The package does not know the adapters: plugin names are not checked
// against the registry here. The caller does that and can point at the
// offending line with Plugin.Line and Plugin.OptionLine.
package config
