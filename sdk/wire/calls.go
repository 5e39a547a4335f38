package wire

import (
	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// This file converts the request and result types of the calls other than
// items and activities themselves.

func InfoToWire(i adapters.Info) *pb.Info {
	return &pb.Info{Name: i.Name, Version: i.Version, Kinds: KindsToWire(i.Kinds), Capabilities: CapabilitiesToWire(i.Capabilities)}
}

func InfoFromWire(p *pb.Info) adapters.Info {
	return adapters.Info{Name: p.GetName(), Version: p.GetVersion(), Kinds: KindsFromWire(p.GetKinds()), Capabilities: CapabilitiesFromWire(p.GetCapabilities())}
}

func CapabilitiesToWire(c adapters.Capabilities) *pb.Capabilities {
	return &pb.Capabilities{WriteTimes: c.WriteTimes, Export: c.Export, Incremental: c.Incremental, ReadAttachments: c.ReadAttachments, Committed: c.Committed, ListChanges: c.ListChanges}
}

func CapabilitiesFromWire(p *pb.Capabilities) adapters.Capabilities {
	return adapters.Capabilities{WriteTimes: p.GetWriteTimes(), Export: p.GetExport(), Incremental: p.GetIncremental(), ReadAttachments: p.GetReadAttachments(), Committed: p.GetCommitted(), ListChanges: p.GetListChanges()}
}

func KindsToWire(kinds []adapters.Kind) []string {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

func KindsFromWire(kinds []string) []adapters.Kind {
	if len(kinds) == 0 {
		return nil
	}
	out := make([]adapters.Kind, len(kinds))
	for i, k := range kinds {
		out[i] = adapters.Kind(k)
	}
	return out
}

func TypesToWire(types []adapters.ActivityType) []string {
	if len(types) == 0 {
		return nil
	}
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}

func TypesFromWire(types []string) []adapters.ActivityType {
	if len(types) == 0 {
		return nil
	}
	out := make([]adapters.ActivityType, len(types))
	for i, t := range types {
		out[i] = adapters.ActivityType(t)
	}
	return out
}

func SnapshotRequestToWire(r adapters.SnapshotRequest) *pb.SnapshotRequest {
	return &pb.SnapshotRequest{Kinds: KindsToWire(r.Kinds), Window: WindowToWire(r.Window), Cursor: r.Cursor}
}

func SnapshotRequestFromWire(p *pb.SnapshotRequest) adapters.SnapshotRequest {
	return adapters.SnapshotRequest{Kinds: KindsFromWire(p.GetKinds()), Window: WindowFromWire(p.GetWindow()), Cursor: p.GetCursor()}
}

func SnapshotEndToWire(e adapters.SnapshotEnd) *pb.SnapshotEnd {
	return &pb.SnapshotEnd{Count: e.Count, Cursor: e.Cursor, Complete: e.Complete}
}

func SnapshotEndFromWire(p *pb.SnapshotEnd) adapters.SnapshotEnd {
	return adapters.SnapshotEnd{Count: p.GetCount(), Cursor: p.GetCursor(), Complete: p.GetComplete()}
}

func ActivityQueryToWire(q adapters.ActivityQuery) *pb.ListActivitiesRequest {
	return &pb.ListActivitiesRequest{Owner: q.Owner, Types: TypesToWire(q.Types)}
}

func ActivityQueryFromWire(p *pb.ListActivitiesRequest) adapters.ActivityQuery {
	return adapters.ActivityQuery{Owner: p.GetOwner(), Types: TypesFromWire(p.GetTypes())}
}

func ChangeQueryToWire(q adapters.ChangeQuery) *pb.ListChangesRequest {
	return &pb.ListChangesRequest{Owner: q.Owner, Types: TypesToWire(q.Types), Since: q.Since}
}

func ChangeQueryFromWire(p *pb.ListChangesRequest) adapters.ChangeQuery {
	return adapters.ChangeQuery{Owner: p.GetOwner(), Types: TypesFromWire(p.GetTypes()), Since: p.GetSince()}
}

func TimeChangesToWire(list []adapters.TimeChange) []*pb.TimeChange {
	out := make([]*pb.TimeChange, len(list))
	for i, c := range list {
		out[i] = &pb.TimeChange{Id: c.ID, IfVersion: c.IfVersion, Raster: RasterToWire(c.Raster)}
	}
	return out
}

func TimeChangesFromWire(list []*pb.TimeChange) []adapters.TimeChange {
	out := make([]adapters.TimeChange, len(list))
	for i, c := range list {
		out[i] = adapters.TimeChange{ID: c.GetId(), IfVersion: c.GetIfVersion(), Raster: RasterFromWire(c.GetRaster())}
	}
	return out
}

func ChangeResultsToWire(list []adapters.ChangeResult) []*pb.ChangeResult {
	out := make([]*pb.ChangeResult, len(list))
	for i, r := range list {
		out[i] = &pb.ChangeResult{Id: r.ID, Version: r.Version, Error: StatusToWire(r.Err)}
	}
	return out
}

func ChangeResultsFromWire(list []*pb.ChangeResult) []adapters.ChangeResult {
	out := make([]adapters.ChangeResult, len(list))
	for i, r := range list {
		out[i] = adapters.ChangeResult{ID: r.GetId(), Version: r.GetVersion(), Err: StatusFromWire(r.GetError())}
	}
	return out
}

func ExportResultsToWire(list []adapters.ExportResult) []*pb.ExportResult {
	out := make([]*pb.ExportResult, len(list))
	for i := range list {
		r := &list[i]
		out[i] = &pb.ExportResult{ActivityId: r.ActivityID, Item: ItemToWire(&r.Item), Existed: r.Existed, Error: StatusToWire(r.Err)}
	}
	return out
}

func ExportResultsFromWire(list []*pb.ExportResult) []adapters.ExportResult {
	out := make([]adapters.ExportResult, len(list))
	for i, r := range list {
		out[i] = adapters.ExportResult{ActivityID: r.GetActivityId(), Item: ItemFromWire(r.GetItem()), Existed: r.GetExisted(), Err: StatusFromWire(r.GetError())}
	}
	return out
}

func UpsertResultsToWire(list []adapters.UpsertResult) []*pb.UpsertResult {
	out := make([]*pb.UpsertResult, len(list))
	for i := range list {
		r := &list[i]
		out[i] = &pb.UpsertResult{Key: r.Key, Activity: ActivityToWire(&r.Activity), Created: r.Created, Error: StatusToWire(r.Err)}
	}
	return out
}

func UpsertResultsFromWire(list []*pb.UpsertResult) []adapters.UpsertResult {
	out := make([]adapters.UpsertResult, len(list))
	for i, r := range list {
		out[i] = adapters.UpsertResult{Key: r.GetKey(), Activity: ActivityFromWire(r.GetActivity()), Created: r.GetCreated(), Err: StatusFromWire(r.GetError())}
	}
	return out
}

func ConfigToWire(adapter string, c adapters.Config) *pb.AdapterConfig {
	return &pb.AdapterConfig{Adapter: adapter, InstanceName: c.Name, OptionsJson: c.Options, TimeZone: c.TimeZone}
}
