// Package engine is the pure core of gwsync: it classifies groupware items
// into CRM activity types, plans a sync as a list of selectable actions by
// comparing each side with the raster both last agreed on (three-way), and
// executes the selected actions through the adapter interfaces, writing each
// link in the same step that confirms the write.
//
// The engine knows adapters (the contract) and engine/state (its memory);
// it never imports generated protobuf code, go-plugin, net/http or a
// database driver.
//
// A run is Plan → (the user deselects what they do not want) → Execute.
// See docs/architecture.md for how the pieces fit.
package engine
