package crmsql_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gwsync/gwsync/adapters/crmsql"
	"github.com/gwsync/gwsync/conformance"
)

func TestMain(m *testing.M) { conformance.Main(m) }

func TestConformance(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		conformance.RunSink(t, conformance.SinkSuite{Adapter: "crmsql",
			Backend: func(t *testing.T, fx conformance.Fixture) json.RawMessage {
				return crmWith(t, b.newDSN(t), fx)
			}})
	})
}

// crmWith prepares the database at dsn for the conformance suite: the
// fixture's activities created "in the CRM" by a person.
func crmWith(t *testing.T, dsn string, fx conformance.Fixture) json.RawMessage {
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
}
