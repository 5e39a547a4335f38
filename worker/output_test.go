package worker

import (
	"fmt"
	"testing"

	"github.com/gwsync/gwsync/engine"
)

// TestOutputIsBoundedAndNamesItems: a job's output lists at most
// maxFailedInOutput failed items, counts the rest, leaves out the items
// that went well, and takes a subject the outcome lacks from the plan.
func TestOutputIsBoundedAndNamesItems(t *testing.T) {
	plan := &engine.Plan{Actions: []*engine.Action{{ID: "a0", Subject: "From the plan"}}}
	res := &engine.Result{RunID: 9, Status: "partial", Counts: map[string]int{engine.OutcomeFailed: maxFailedInOutput + 5},
		Items: []engine.ItemOutcome{{ActionID: "ok", Outcome: engine.OutcomeOK}}}
	for i := range maxFailedInOutput + 5 {
		res.Items = append(res.Items, engine.ItemOutcome{ActionID: fmt.Sprintf("a%d", i), Kind: engine.ActCreate,
			Outcome: engine.OutcomeFailed, Error: "refused"})
	}
	out := outputOf(plan, res)
	if len(out.Failed) != maxFailedInOutput || out.FailedMore != 5 || out.RunID != 9 || out.Status != "partial" {
		t.Fatalf("output: %d failed listed, %d more, run %d %s", len(out.Failed), out.FailedMore, out.RunID, out.Status)
	}
	if f := out.Failed[0]; f.ActionID != "a0" || f.Subject != "From the plan" || f.Error != "refused" || f.Kind != "create" {
		t.Errorf("first failed item: %+v", f)
	}
}
