package conformance

import (
	"bytes"
	"strings"
	"testing"
)

// The collector must behave as testing.T does for the checks: Fatal and
// Skip end only the check, cleanups run last first when it ends, and a
// panic is a failure of that check rather than of the whole run.
func TestCollectorRecordsEachCheckLikeTestingT(t *testing.T) {
	report := &Report{}
	root := &collector{report: report}
	var order []string
	afterFatal := false
	root.run(func(t T) {
		t.Run("passes", func(t T) {
			t.Cleanup(func() { order = append(order, "first") })
			t.Cleanup(func() { order = append(order, "second") })
		})
		t.Run("fails", func(t T) {
			t.Errorf("value %d", 7)
			t.Fatal("stopped here")
			afterFatal = true
		})
		t.Run("skips", func(t T) { t.Skip("not declared") })
		t.Run("panics", func(t T) { panic("boom") })
	})
	if afterFatal {
		t.Error("Fatal did not end the check")
	}
	if strings.Join(order, ",") != "second,first" {
		t.Errorf("cleanups ran %v, want last first", order)
	}
	want := []Check{
		{Name: "passes", Result: Pass},
		{Name: "fails", Result: Fail, Messages: []string{"value 7", "stopped here"}},
		{Name: "skips", Result: Skip, Messages: []string{"not declared"}},
		{Name: "panics", Result: Fail, Messages: []string{"panic: boom"}},
	}
	if len(report.Checks) != len(want) {
		t.Fatalf("checks %+v", report.Checks)
	}
	for i, w := range want {
		g := report.Checks[i]
		if g.Name != w.Name || g.Result != w.Result || strings.Join(g.Messages, "|") != strings.Join(w.Messages, "|") {
			t.Errorf("check %d = %+v, want %+v", i, g, w)
		}
	}
	if !report.Failed() || root.entry().Result != Fail {
		t.Error("a failed check does not fail the report and its parent")
	}
	var out bytes.Buffer
	report.Write(&out)
	if !strings.Contains(out.String(), "FAIL  fails\n      value 7\n      stopped here\n") || !strings.HasSuffix(out.String(), "1 passed, 2 failed, 1 skipped\n") {
		t.Errorf("report text:\n%s", out.String())
	}
}

func TestAdapterNameComesFromThePluginFileName(t *testing.T) {
	for path, want := range map[string]string{
		"/opt/gwsync-plugin-mycrm":       "mycrm",
		"bin/gwsync-plugin-mycrm.exe":    "mycrm",
		"./crm-bridge":                   "crm-bridge",
		"/usr/lib/gwsync/gwsync-plugin-": "gwsync-plugin-",
	} {
		if got := AdapterNameOf(path); got != want {
			t.Errorf("AdapterNameOf(%q) = %q, want %q", path, got, want)
		}
	}
}

// A transport is a group of checks: its checks are named after it, and
// the group itself is a line of the report only when it failed on its own
// (a plugin that would not start; RunPlugin calls that "GROUP/setup").
func TestGroupsNameTheirChecksAndReportOnlyTheirOwnFailure(t *testing.T) {
	report := &Report{}
	root := &collector{report: report}
	root.run(func(t T) {
		t.Run("pooled", func(t T) {
			t.Run("info", func(T) {})
			t.Run("second-instance", func(t T) { t.Error("closed") })
		})
		t.Run("process", func(t T) {
			t.Run("info", func(T) {})
			t.Fatal("cannot start")
		})
		t.Run("never-started", func(t T) { t.Fatal("no such file") })
	})
	var names []string
	for _, c := range report.Checks {
		names = append(names, string(c.Result)+" "+c.Name)
	}
	want := "PASS pooled/info,FAIL pooled/second-instance,FAIL process,PASS process/info,FAIL never-started"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("checks %s\nwant   %s", got, want)
	}
}
