package crmsql_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/conformance"
)

func TestMain(m *testing.M) { conformance.Main(m) }

func TestConformance(t *testing.T) {
	conformance.RunSink(t, conformance.SinkSuite{Adapter: "crmsql",
		Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "crm.db")
			st, err := crmsql.OpenStore(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for _, a := range fx.Activities { // created "in the CRM" by a person
				if _, err := st.CreateActivity(context.Background(), a); err != nil {
					t.Fatal(err)
				}
			}
			opts, _ := json.Marshal(map[string]string{"dsn": dsn})
			return opts
		}})
}
