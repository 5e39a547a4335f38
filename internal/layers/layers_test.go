// Package layers checks the import rules of docs/architecture.md: what a
// layer may link is a property of the build, so it is tested on the build.
package layers

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// deps lists the packages pkg links (not its tests), as `go list -deps`.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// forbid fails for every dependency of pkg that starts with one of the
// prefixes.
func forbid(t *testing.T, pkg string, prefixes ...string) {
	t.Helper()
	for _, d := range deps(t, pkg) {
		for _, p := range prefixes {
			if d == p || strings.HasPrefix(d, p+"/") {
				t.Errorf("%s links %s (%s is not allowed there)", pkg, d, p)
			}
		}
	}
}

// The engine is the pure core: no database driver, no wire, no network.
// The state store's implementations (engine/state/sqlite, ...) live apart
// from its interface for this reason.
func TestEngineLinksNoDriverWireOrNetwork(t *testing.T) {
	for _, pkg := range []string{"github.com/gwsync/gwsync/engine", "github.com/gwsync/gwsync/engine/state"} {
		forbid(t, pkg,
			"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx",
			"github.com/hashicorp/go-plugin", "google.golang.org/grpc", "google.golang.org/protobuf",
			"github.com/gwsync/gwsync/plugins", "github.com/gwsync/gwsync/sdk", "net/http")
	}
}

// Front-ends never import each other: the CLI shares the credential rule
// and secret redaction with the web client through adapters/credentials,
// and only `gwsync serve` (cmd_serve.go), which starts the web server,
// imports web.
func TestCLIImportsWebOnlyToServe(t *testing.T) {
	dir := filepath.Join("..", "..", "cmd", "gwsync")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "cmd_serve.go" {
			continue
		}
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/gwsync/gwsync/web" {
				t.Errorf("%s imports web; only cmd_serve.go may", filepath.Base(f))
			}
		}
	}
	forbid(t, "github.com/gwsync/gwsync/adapters/credentials", "github.com/gwsync/gwsync/web", "github.com/gwsync/gwsync/plugins", "net/http")
}

// Adapters never import the plugin protocol or go-plugin: the conformance
// suite, which runs them over the wire, lives apart in conformance/ and
// is imported by their tests only.
func TestAdaptersLinkNoPluginWire(t *testing.T) {
	out, err := exec.Command("go", "list", "github.com/gwsync/gwsync/adapters/...").Output()
	if err != nil {
		t.Fatalf("go list adapters/...: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 6 {
		t.Fatalf("go list adapters/... found only %v", pkgs)
	}
	for _, pkg := range pkgs {
		forbid(t, pkg, "github.com/gwsync/gwsync/plugins", "github.com/gwsync/gwsync/sdk", "github.com/hashicorp/go-plugin", "github.com/gwsync/gwsync/conformance")
	}
}

// The SDK is what a third party's plugin links: the contract, the
// generated protocol and the server, never the host (the launcher and pool
// in plugins), the engine, the config or a front-end, so a plugin binary
// stays small and the SDK can be versioned on its own.
func TestSDKLinksNoHostEngineOrFrontEnd(t *testing.T) {
	for _, pkg := range []string{"github.com/gwsync/gwsync/sdk", "github.com/gwsync/gwsync/sdk/server", "github.com/gwsync/gwsync/sdk/wire"} {
		forbid(t, pkg, "github.com/gwsync/gwsync/engine", "github.com/gwsync/gwsync/config",
			"github.com/gwsync/gwsync/web", "github.com/gwsync/gwsync/worker", "github.com/gwsync/gwsync/conformance")
		for _, d := range deps(t, pkg) {
			if d == "github.com/gwsync/gwsync/plugins" {
				t.Errorf("%s links the host package plugins; only plugins/proto/pluginv1 is allowed", pkg)
			}
		}
	}
}
