// Package web is the web client of gwsync (`gwsync serve`): a user logs in,
// picks the areas to synchronize, reviews the candidates of each area (all
// selected by default), executes with live progress, and looks at the
// activities that were imported. Users with automatic matching are synced
// by a scheduler inside the server and see their last and next run. With
// Options.Jobs (a queue shared by replicas, on PostgreSQL) Execute queues
// the reviewed selection as a job instead, any replica's run page follows
// that job, and the queue schedules the automatic users (see Jobs).
//
// Pages are server-rendered html/template with a little plain JavaScript;
// templates, CSS and JS are embedded, so the binary needs no other files
// and the browser loads nothing from elsewhere.
//
// The package knows the engine and the adapter contract, never the config
// or the command line: cmd/gwsync builds Options from the config and gives
// OpenJob, which starts a user's sources.
package web
