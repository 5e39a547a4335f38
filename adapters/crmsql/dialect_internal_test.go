package crmsql

import (
	"errors"
	"strings"
	"testing"
)

func TestBindNumbersPlaceholdersOutsideQuotes(t *testing.T) {
	in := `SELECT '?', "a?b", x FROM t WHERE a = ? AND b IN (?, ?) AND c = 'it''s ?'`
	want := `SELECT '?', "a?b", x FROM t WHERE a = $1 AND b IN ($2, $3) AND c = 'it''s ?'`
	if got := postgresDialect.bind(in); got != want {
		t.Fatalf("bind:\n got %s\nwant %s", got, want)
	}
	if got := sqliteDialect.bind(in); got != in {
		t.Fatalf("sqlite bind changed the statement: %s", got)
	}
}

func TestCleanString(t *testing.T) {
	for in, want := range map[string]string{"ok": "ok", "a\x00b": "a\uFFFDb", "caf\xe9": "caf\uFFFD", "": ""} {
		if got := cleanString(in); got != want {
			t.Errorf("cleanString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactHidesEveryFormOfThePassword(t *testing.T) {
	tg, err := parseTarget("postgres://gwsync:p%40ss%2Fw@127.0.0.1:5432/crm", "crm")
	if err != nil {
		t.Fatal(err)
	}
	if tg.label != "127.0.0.1:5432/crm schema crm" {
		t.Fatalf("label %q", tg.label)
	}
	base := errors.New("cannot connect to postgres://gwsync:p%40ss%2Fw@127.0.0.1 with password p@ss/w")
	msg := tg.dbError("connect", base).Error()
	if strings.Contains(msg, "p@ss/w") || strings.Contains(msg, "p%40ss%2Fw") || !strings.Contains(msg, "127.0.0.1:5432/crm") {
		t.Fatalf("error %q", msg)
	}
	if !errors.Is(tg.dbError("x", base), base) {
		t.Fatal("redacted error no longer unwraps to the original")
	}
}
