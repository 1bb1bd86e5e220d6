package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/commons-society/commons/node"
)

// TestBadInputMessages: every bad input is refused with a message in the
// user's terms (no decoder, CID or flag-package text, which --verbose
// alone shows) and changes nothing: the state hash and the record count
// stay the same.
func TestBadInputMessages(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	soc := h.ok(t, "society", "create", "Garden").last()
	code := h.ok(t, "invite").last()
	give := func(extra ...string) []string {
		return append([]string{"hours", "give", "--skill", "gardening"}, extra...)
	}
	contrib := func(extra ...string) []string {
		return append([]string{"contrib", "add", "--skill", "gardening"}, extra...)
	}
	notNumber := func(flag, v string) string { return "--" + flag + `: "` + v + `" is not a whole number` }
	const (
		damaged = "not a valid invite code: it is damaged or cut short; copy the whole code again"
		badSoc  = `no such society here: "bafyreinotacid" is not a society ID`
		noZed   = `no member "Zed" in this society`
	)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"garbage invite code", []string{"join", "commons1abcdefgh"}, damaged},
		{"cut invite code", []string{"join", code[:len(code)/2]}, damaged},
		{"invite code with a changed letter", []string{"join", code[:20] + "9" + code[21:]}, "not a valid invite code"},
		{"not an invite code", []string{"join", "hello"}, `not a valid invite code: it must start with "commons1"`},
		{"bad society ID", []string{"members", "--society", "bafyreinotacid"}, badSoc},
		{"bad society ID on a write", []string{"profile", "set", "--bio", "x", "--society", "bafyreinotacid"}, badSoc},
		{"unknown society", []string{"members", "--society", "zzz"}, `"zzz" is not a society ID`},
		{"invite --hours", []string{"invite", "--hours", "abc"}, notNumber("hours", "abc")},
		{"invite --uses", []string{"invite", "--uses", "1.5"}, notNumber("uses", "1.5")},
		{"invite --hours too large", []string{"invite", "--hours", "99999999999999999999"}, `--hours: "99999999999999999999" is too large`},
		{"hours give --minutes", give("--minutes", "abc"), notNumber("minutes", "abc")},
		{"hours pay --minutes", []string{"hours", "pay", "--to", "community", "--skill", "x", "--minutes", "1h"}, notNumber("minutes", "1h")},
		{"hours give --minutes missing", give("--minutes"), "--minutes needs a value"},
		{"hours give --hours", give("--to", "community", "--hours", "abc"), `--hours "abc" is not a number of hours`},
		{"hours list --limit", []string{"hours", "list", "--limit", "ten"}, notNumber("limit", "ten")},
		{"statement --limit", []string{"statement", "--limit", "x"}, notNumber("limit", "x")},
		{"contrib add --minutes", contrib("--minutes", "abc"), notNumber("minutes", "abc")},
		{"contrib add --hours", contrib("--what", "weeding", "--hours", "abc"), `--hours "abc" is not a number of hours`},
		{"contrib add --date", contrib("--what", "weeding", "--minutes", "5", "--date", "2020-13-45"), `--date "2020-13-45" is not a day written YYYY-MM-DD`},
		{"contrib review --quality", []string{"contrib", "review", "bafyx", "--quality", "good", "--impact", "3"}, notNumber("quality", "good")},
		{"contrib review --impact", []string{"contrib", "review", "bafyx", "--quality", "3", "--impact", "big"}, notNumber("impact", "big")},
		{"contrib list --limit", []string{"contrib", "list", "--limit", "x"}, notNumber("limit", "x")},
		{"activity --limit", []string{"activity", "--limit", "x"}, notNumber("limit", "x")},
		{"society settings --min-hours", []string{"society", "settings", "--min-hours", "abc"}, `--min-hours: "abc" is not a number of hours`},
		{"society settings --max-hours", []string{"society", "settings", "--max-hours", "abc"}, `--max-hours: "abc" is not a number of hours`},
		{"society settings --half-life-days", []string{"society", "settings", "--half-life-days", "x"}, `--half-life-days: "x" is not a number of days`},
		{"society settings --min-hours above zero", []string{"society", "settings", "--min-hours", "5"}, "the minimum balance must be zero or below"},
		{"run --sync-interval", []string{"run", "--sync-interval", "soon", "--no-mdns"}, `--sync-interval: "soon" is not a duration (write it like 30s, 15m or 1h30m)`},
		{"run --log-level", []string{"run", "--log-level", "loud", "--no-mdns"}, `--log-level: "loud" is not a log level: give debug, info, warn or error`},
		{"run --metrics on every interface", []string{"run", "--metrics", "0.0.0.0:9100", "--no-mdns"}, `--metrics: bad metrics address: "0.0.0.0:9100" is not a loopback address`},
		{"run --metrics on a LAN address", []string{"run", "--metrics", "192.168.1.5:9100", "--no-mdns"}, `"192.168.1.5:9100" is not a loopback address`},
		{"run --metrics without a host", []string{"run", "--metrics", ":9100", "--no-mdns"}, `":9100" is not a loopback address`},
		{"run --metrics without a port", []string{"run", "--metrics", "127.0.0.1", "--no-mdns"}, `"127.0.0.1" is not HOST:PORT`},
		{"run --metrics with a bad port", []string{"run", "--metrics", "127.0.0.1:http", "--no-mdns"}, "the port must be a number from 0 to 65535"},
		{"on/off option with a value", []string{"status", "--json=maybe"}, "--json is on or off"},
		{"unknown option", []string{"members", "--colour"}, "there is no option --colour for this command"},
		{"unknown member to give to", give("--minutes", "30", "--to", "Zed"), noZed},
		{"unknown member's balance", []string{"balance", "Zed"}, noZed},
		{"unknown member's CV", []string{"cv", "Zed", "--json"}, noZed},
		{"unknown member to remove", []string{"remove", "Zed"}, noZed},
		{"unknown member's statement", []string{"statement", "--member", "Zed"}, noZed},
	}
	before := status(t, h.dir, h.pass)
	leaks := []string{"cbor", "invalid cid", "parse error", "flag -", "varint", "extraneous", "crdt:", "not found:"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, h.dir, h.pass, c.args...)
			if r.code == 0 {
				t.Fatalf("%v succeeded: %s", c.args, r.stdout)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("%v says %q, want %q", c.args, r.stderr, c.want)
			}
			for _, l := range leaks {
				if strings.Contains(r.stderr, l) {
					t.Errorf("%v shows internals (%q): %s", c.args, l, r.stderr)
				}
			}
			after := status(t, h.dir, h.pass)
			if len(after.Societies) != 1 || after.Societies[0].StateHash != before.Societies[0].StateHash ||
				after.Societies[0].Records != before.Societies[0].Records {
				t.Errorf("%v changed the state: %+v, was %+v", c.args, after.Societies, before.Societies)
			}
		})
	}
	if before.Societies[0].ID != soc {
		t.Fatalf("status names society %s, created %s", before.Societies[0].ID, soc)
	}

	// --verbose adds the technical detail, after the user's message.
	r := runCLI(t, h.dir, h.pass, "--verbose", "join", "commons1abcdefgh")
	if !strings.Contains(r.stderr, damaged+"\n  detail: ") || !strings.Contains(r.stderr, "cbor") {
		t.Errorf("--verbose join with a garbage code says %q", r.stderr)
	}
	r = runCLI(t, h.dir, h.pass, "--verbose", "invite", "--hours", "abc")
	if !strings.Contains(r.stderr, "  detail: invalid value") {
		t.Errorf("--verbose invite --hours abc says %q", r.stderr)
	}
}
