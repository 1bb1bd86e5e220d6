package main

import (
	"errors"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

func TestNoSessionBus(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("no D-Bus session bus lookup on", runtime.GOOS)
	}
	withBus := t.TempDir()
	if err := os.WriteFile(filepath.Join(withBus, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, c := range []struct {
		name, addr, dir string
		want            bool
	}{
		{"address set", "unix:path=/run/user/1000/bus", empty, false},
		{"bus socket in the runtime dir", "", withBus, false},
		{"nothing", "", empty, true},
		{"autolaunch only", "autolaunch:", empty, true},
		{"no runtime dir", "", filepath.Join(empty, "missing"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "DBUS_SESSION_BUS_ADDRESS" {
					return c.addr
				}
				return ""
			}
			if got := noSessionBus(getenv, c.dir); got != c.want {
				t.Fatalf("noSessionBus(%q, %s) = %v, want %v", c.addr, c.dir, got, c.want)
			}
		})
	}
}

// TestBusLogFilter: Fyne's error about watching the theme without a
// session bus becomes one line of explanation, however often it comes;
// other log lines, Fyne's other errors included, pass.
func TestBusLogFilter(t *testing.T) {
	var out strings.Builder
	log.SetOutput(&busLogFilter{out: &out})
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	cause := errors.New(`exec: "dbus-launch": executable file not found in $PATH`)
	fyne.LogError(themeWatchError, cause)
	log.Println("peer started")
	fyne.LogError(themeWatchError, cause)
	fyne.LogError("Settings un-watch error:", errors.New("closed"))
	got := out.String()
	if strings.Count(got, noSessionBusNote) != 1 {
		t.Fatalf("the note is not said once:\n%s", got)
	}
	for _, gone := range []string{themeWatchError, "dbus-launch"} {
		if strings.Contains(got, gone) {
			t.Fatalf("%q was not filtered:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"peer started", "Settings un-watch error:", "Cause: closed", "At: "} {
		if !strings.Contains(got, kept) {
			t.Fatalf("%q was filtered out:\n%s", kept, got)
		}
	}
}
