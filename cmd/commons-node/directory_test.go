package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDirectoryCommands(t *testing.T) {
	h := newHome(t)
	h.ok(t, "init", "--name", "Dee")
	h.ok(t, "society", "create", "Oak")
	id := h.ok(t, "offer", "add", "--skill", "Gardening", "--description", "hedges", "--place", "Oak Road").last()
	if !strings.HasPrefix(id, "bafy") {
		t.Fatalf("offer add printed %q last", id)
	}
	h.ok(t, "request", "add", "--skill", "plumbing", "--description", "leaking tap")
	var ls []struct {
		ID    string `json:"id"`
		Kind  string `json:"kind"`
		Skill string `json:"skill"`
		Open  bool   `json:"open"`
	}
	if err := json.Unmarshal([]byte(h.ok(t, "offer", "list", "--json").stdout), &ls); err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].ID != id || ls[0].Kind != "offer" || ls[0].Skill != "gardening" || !ls[0].Open {
		t.Fatalf("offer list: %+v", ls)
	}
	if out := h.ok(t, "request", "list", "--search", "tap").stdout; !strings.Contains(out, "leaking tap") {
		t.Fatalf("request list --search: %s", out)
	}
	h.ok(t, "offer", "close", id)
	if out := h.ok(t, "offer", "list").stdout; !strings.Contains(out, "no offers found") {
		t.Fatalf("closed offer still listed: %s", out)
	}
	for _, args := range [][]string{{"offer"}, {"offer", "add"}, {"offer", "frobnicate"}, {"request", "close"}} {
		if r := runCLI(t, h.dir, h.pass, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, h.dir, h.pass, "offer", "close", id); r.code != 1 || !strings.Contains(r.stderr, "already closed") {
		t.Errorf("closing twice: exit %d, %s", r.code, r.stderr)
	}
}
