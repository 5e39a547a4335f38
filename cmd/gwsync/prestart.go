package main

import (
	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/plugins"
)

// prestartSources starts, in the background, the plugin processes of u's
// out-of-process built-in sources as the config names them. A process is
// most of a source's start (the child's runtime start and handshake, tens
// of milliseconds); the options, which the user's preferences may change,
// only reach it when the source is opened, as an instance of it. An
// external plugin is not started ahead: it may not serve instances, and
// a process given back unused would be stopped again.
func prestartSources(pool *plugins.Pool, o *opener, u *config.User) {
	for _, sp := range u.Sources {
		if _, builtin := adapters.Lookup(sp.Plugin); !builtin || sp.InProcess || sp.SHA256 != "" {
			continue
		}
		if l, err := o.launch(sp, u.TimeZone); err == nil {
			pool.PrestartSource(l)
		}
	}
}
