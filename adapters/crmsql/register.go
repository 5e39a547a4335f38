package crmsql

import "github.com/gwsync/gwsync/adapters"

func init() {
	adapters.Register(adapters.Registration{
		Name:        "crmsql",
		Description: "embedded CRM store in a SQLite file (default sink)",
		NewSink:     func(c adapters.Config) (adapters.Sink, error) { return New(c) },
	})
}
