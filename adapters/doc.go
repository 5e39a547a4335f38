// Package adapters is the contract between the gwsync engine and the systems
// it talks to: groupware sources (files, CalDAV, IMAP, Exchange) and CRM sinks
// (the embedded crmsql store, later real CRMs).
//
// It holds the small Source and Sink interfaces, the types that cross them
// (items, activities, time rasters, busy status), the error codes every
// implementation must use, and the registry through which built-in adapters
// announce themselves from init().
//
// The engine imports this package and nothing below it; adapters import this
// package and never the engine, never go-plugin. The plugin SDK
// (github.com/gwsync/gwsync/sdk, with sdk/wire and sdk/server) and the host
// (package plugins) are the only places that know both this contract and
// the wire protocol, so every adapter can run in process or out of process
// without knowing which.
//
// # Writing an adapter outside this module
//
// A CRM or groupware vendor implements Sink or Source here and serves it
// with sdk.ServeSink or sdk.ServeSource from their own executable; no
// Register call is needed then. The constructor gets a Config (options as
// JSON: decode them with DecodeOptions, which refuses unknown keys with
// CodeInvalidConfig) and must not do I/O. docs/plugins.md is the guide, and
// `gwsync plugin test` checks the result.
//
// # Error contract
//
// Every method documents what it returns. Errors that mean something to the
// engine carry a Code (see errors.go): NotFound, Conflict, Unauthorized,
// Unsupported, InvalidConfig, Temporary, CursorInvalid, InvalidItem. The codes
// survive the plugin wire, so the engine can make the same decision whether
// the adapter runs in process or not.
//
// # Listing safety
//
// A listing (Snapshot, ListActivities) that fails part way MUST return an
// error: the engine then treats that side as unknown for this run. It never
// reads a failed or truncated listing as "items were deleted".
package adapters
