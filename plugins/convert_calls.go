package plugins

import (
	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/internal/pluginv1"
)

// This file converts the request and result types of the calls other than
// items and activities themselves.

func infoToWire(i adapters.Info) *pb.Info {
	return &pb.Info{Name: i.Name, Version: i.Version, Kinds: kindsToWire(i.Kinds), Capabilities: capabilitiesToWire(i.Capabilities)}
}

func infoFromWire(p *pb.Info) adapters.Info {
	return adapters.Info{Name: p.GetName(), Version: p.GetVersion(), Kinds: kindsFromWire(p.GetKinds()), Capabilities: capabilitiesFromWire(p.GetCapabilities())}
}

func capabilitiesToWire(c adapters.Capabilities) *pb.Capabilities {
	return &pb.Capabilities{WriteTimes: c.WriteTimes, Export: c.Export, Incremental: c.Incremental, ReadAttachments: c.ReadAttachments, Committed: c.Committed, ListChanges: c.ListChanges}
}

func capabilitiesFromWire(p *pb.Capabilities) adapters.Capabilities {
	return adapters.Capabilities{WriteTimes: p.GetWriteTimes(), Export: p.GetExport(), Incremental: p.GetIncremental(), ReadAttachments: p.GetReadAttachments(), Committed: p.GetCommitted(), ListChanges: p.GetListChanges()}
}

func kindsToWire(kinds []adapters.Kind) []string {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

func kindsFromWire(kinds []string) []adapters.Kind {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]adapters.Kind, len(kinds))
	for i, k := range kinds {
		out[i] = adapters.Kind(k)
	}
	return out
}

func typesToWire(types []adapters.ActivityType) []string {
	if len(types) == 0 {
		return nil
	}
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}

func typesFromWire(types []string) []adapters.ActivityType {
	if len(types) == 0 {
		return nil
	}
	out := make([]adapters.ActivityType, len(types))
	for i, t := range types {
		out[i] = adapters.ActivityType(t)
	}
	return out
}

func snapshotRequestToWire(r adapters.SnapshotRequest) *pb.SnapshotRequest {
	return &pb.SnapshotRequest{Kinds: kindsToWire(r.Kinds), Window: windowToWire(r.Window), Cursor: r.Cursor}
}

func snapshotRequestFromWire(p *pb.SnapshotRequest) adapters.SnapshotRequest {
	return adapters.SnapshotRequest{Kinds: kindsFromWire(p.GetKinds()), Window: windowFromWire(p.GetWindow()), Cursor: p.GetCursor()}
}

func snapshotEndToWire(e adapters.SnapshotEnd) *pb.SnapshotEnd {
	return &pb.SnapshotEnd{Count: e.Count, Cursor: e.Cursor, Complete: e.Complete}
}

func snapshotEndFromWire(p *pb.SnapshotEnd) adapters.SnapshotEnd {
	return adapters.SnapshotEnd{Count: p.GetCount(), Cursor: p.GetCursor(), Complete: p.GetComplete()}
}

func activityQueryToWire(q adapters.ActivityQuery) *pb.ListActivitiesRequest {
	return &pb.ListActivitiesRequest{Owner: q.Owner, Types: typesToWire(q.Types)}
}

func activityQueryFromWire(p *pb.ListActivitiesRequest) adapters.ActivityQuery {
	return adapters.ActivityQuery{Owner: p.GetOwner(), Types: typesFromWire(p.GetTypes())}
}

func changeQueryToWire(q adapters.ChangeQuery) *pb.ListChangesRequest {
	return &pb.ListChangesRequest{Owner: q.Owner, Types: typesToWire(q.Types), Since: q.Since}
}

func changeQueryFromWire(p *pb.ListChangesRequest) adapters.ChangeQuery {
	return adapters.ChangeQuery{Owner: p.GetOwner(), Types: typesFromWire(p.GetTypes()), Since: p.GetSince()}
}

func timeChangesToWire(list []adapters.TimeChange) []*pb.TimeChange {
	out := make([]*pb.TimeChange, len(list))
	for i, c := range list {
		out[i] = &pb.TimeChange{Id: c.ID, IfVersion: c.IfVersion, Raster: rasterToWire(c.Raster)}
	}
	return out
}

func timeChangesFromWire(list []*pb.TimeChange) []adapters.TimeChange {
	out := make([]adapters.TimeChange, len(list))
	for i, c := range list {
		out[i] = adapters.TimeChange{ID: c.GetId(), IfVersion: c.GetIfVersion(), Raster: rasterFromWire(c.GetRaster())}
	}
	return out
}

func changeResultsToWire(list []adapters.ChangeResult) []*pb.ChangeResult {
	out := make([]*pb.ChangeResult, len(list))
	for i, r := range list {
		out[i] = &pb.ChangeResult{Id: r.ID, Version: r.Version, Error: statusToWire(r.Err)}
	}
	return out
}

func changeResultsFromWire(list []*pb.ChangeResult) []adapters.ChangeResult {
	out := make([]adapters.ChangeResult, len(list))
	for i, r := range list {
		out[i] = adapters.ChangeResult{ID: r.GetId(), Version: r.GetVersion(), Err: statusFromWire(r.GetError())}
	}
	return out
}

func exportResultsToWire(list []adapters.ExportResult) []*pb.ExportResult {
	out := make([]*pb.ExportResult, len(list))
	for i := range list {
		r := &list[i]
		out[i] = &pb.ExportResult{ActivityId: r.ActivityID, Item: itemToWire(&r.Item), Existed: r.Existed, Error: statusToWire(r.Err)}
	}
	return out
}

func exportResultsFromWire(list []*pb.ExportResult) []adapters.ExportResult {
	out := make([]adapters.ExportResult, len(list))
	for i, r := range list {
		out[i] = adapters.ExportResult{ActivityID: r.GetActivityId(), Item: itemFromWire(r.GetItem()), Existed: r.GetExisted(), Err: statusFromWire(r.GetError())}
	}
	return out
}

func upsertResultsToWire(list []adapters.UpsertResult) []*pb.UpsertResult {
	out := make([]*pb.UpsertResult, len(list))
	for i := range list {
		r := &list[i]
		out[i] = &pb.UpsertResult{Key: r.Key, Activity: activityToWire(&r.Activity), Created: r.Created, Error: statusToWire(r.Err)}
	}
	return out
}

func upsertResultsFromWire(list []*pb.UpsertResult) []adapters.UpsertResult {
	out := make([]adapters.UpsertResult, len(list))
	for i, r := range list {
		out[i] = adapters.UpsertResult{Key: r.GetKey(), Activity: activityFromWire(r.GetActivity()), Created: r.GetCreated(), Err: statusFromWire(r.GetError())}
	}
	return out
}

func configToWire(adapter string, c adapters.Config) *pb.AdapterConfig {
	return &pb.AdapterConfig{Adapter: adapter, InstanceName: c.Name, OptionsJson: c.Options, TimeZone: c.TimeZone}
}
