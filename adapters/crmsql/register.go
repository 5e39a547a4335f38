package crmsql

import "github.com/gwsync/gwsync/adapters"

func init() {
	adapters.Register(adapters.Registration{
		Name:        "crmsql",
		Description: "embedded CRM store in a SQLite file (default sink)",
		Options: []adapters.Option{
			{Name: "dsn", Type: adapters.TypeString, Help: "the database file: sqlite:PATH or a path"},
			{Name: "create_contacts", Type: adapters.TypeBool, Default: "false", Help: "create a contact for an address the CRM does not know"},
		},
		NewSink: func(c adapters.Config) (adapters.Sink, error) { return New(c) },
	})
}
