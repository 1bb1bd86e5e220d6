package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunTiny is the quickest configuration: both systems, both
// workloads, one repetition of 100 records.
func TestRunTiny(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-records", "100", "-batch", "32", "-reps", "1", "-verify", "50ms", "-limit", "1m"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go-ds-crdt v0.6.8", "rep 1: ingest go-ds-crdt", "(a) ingest:", "(b) catch-up:", "ratio Commons/go-ds-crdt", "Commons batch verify:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"-records", "10"}, {"-reps", "0"}, {"-size", "8"}, {"-verify", "0s"}, {"-nope"}} {
		if _, err := parse(args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	c, err := parse(nil)
	if err != nil || c.records != 20_000 || c.batch != 2048 || c.size != 300 || c.reps != 3 {
		t.Errorf("defaults: %+v, %v", c, err)
	}
}
