// Package restcrm is the example CRM sink of gwsync for a CRM reached over
// HTTP/JSON: the REST shape in examples/plugins/restcrm/README.md
// (activities and contacts), which the reference server in ../refserver
// serves. It implements adapters.Sink; ../main.go serves it as the plugin
// executable gwsync-plugin-restcrm.
//
// What maps to what:
//
//   - ListActivities pages through GET /activities?owner=…&type=….
//   - Upsert sends POST /activities/batch: the CRM is idempotent by key,
//     so a retried batch creates nothing twice.
//   - UpdateTimes sends PATCH /activities/{id}/times with If-Match.
//   - HTTP failures become gwsync's error codes (errors.go), so the engine
//     knows what to retry.
package restcrm
