package config

import (
	"strings"
	"testing"

	"github.com/gwsync/gwsync/engine"
)

// The area and policy names are the engine's: adding one to engine.Areas
// or engine.Policies is all it takes for config to accept it, and a name
// the engine does not know is refused with the engine's list.
func TestAreaAndPolicyNamesComeFromTheEngine(t *testing.T) {
	const yaml = `crm: {plugin: memory}
defaults: {conflict: first-wins}
users: [{name: a, areas: [emails, calls], sources: [{name: s, plugin: memory}]}]
`
	_, err := Parse("gw.yaml", []byte(yaml))
	if err == nil || !strings.Contains(err.Error(), `"first-wins" is not one of source-wins`) || !strings.Contains(err.Error(), `"calls" is not one of emails`) {
		t.Fatalf("before adding the names: err = %v, want both refused with the engine's lists", err)
	}

	areas, policies := engine.Areas, engine.Policies
	t.Cleanup(func() { engine.Areas, engine.Policies = areas, policies })
	engine.Areas = append(append([]engine.Area(nil), areas...), "calls")
	engine.Policies = append(append([]engine.Policy(nil), policies...), "first-wins")

	c, err := Parse("gw.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("after adding the names to the engine only: %v", err)
	}
	if got := c.Users[0].Areas; strings.Join(got, ",") != "emails,calls" {
		t.Errorf("areas = %v, want [emails calls] in the engine's order", got)
	}
	if c.Defaults.Conflict != "first-wins" {
		t.Errorf("conflict = %q, want first-wins", c.Defaults.Conflict)
	}
	all, err := Parse("gw.yaml", []byte("crm: {plugin: memory}\nusers: [{name: a, sources: [{name: s, plugin: memory}]}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := all.Users[0].Areas; strings.Join(got, ",") != strings.Join(engine.AreaNames(), ",") {
		t.Errorf("default areas = %v, want every engine area %v", got, engine.AreaNames())
	}
	if _, err := engine.ParsePolicy("first-wins"); err != nil {
		t.Errorf("engine.ParsePolicy: %v", err)
	}
	if _, err := engine.ParseAreas("calls"); err != nil {
		t.Errorf("engine.ParseAreas: %v", err)
	}
}
