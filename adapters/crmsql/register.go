package crmsql

import "github.com/gwsync/gwsync/adapters"

func init() {
	adapters.Register(adapters.Registration{
		Name:        "crmsql",
		Description: "embedded CRM store in a SQLite file (default sink) or a PostgreSQL database",
		Options: []adapters.Option{
			{Name: "dsn", Type: adapters.TypeString, Help: "the database: sqlite:PATH or a path for a SQLite file, postgres://USER:PASSWORD@HOST:PORT/DB for PostgreSQL"},
			{Name: "schema", Type: adapters.TypeString, Help: "PostgreSQL only: the schema that holds the CRM tables (created if missing; lower-case letters, digits, _); empty: the database's default (public)"},
			{Name: "create_contacts", Type: adapters.TypeBool, Default: "false", Help: "create a contact for an address the CRM does not know"},
		},
		NewSink: func(c adapters.Config) (adapters.Sink, error) { return New(c) },
	})
}
