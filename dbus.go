package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Without a D-Bus session bus (a desktop without D-Bus, a bare X server,
// Xvfb), Fyne's theme watcher on Linux and the BSDs (app/app_xdg.go,
// watchTheme) asks godbus for the session bus, which falls back to
// running dbus-launch: that either starts a stray bus daemon or fails,
// and Fyne logs "failed to watch theme settings" with
// `exec: "dbus-launch": executable file not found` on every start. The
// app only loses following the desktop's light or dark setting, which it
// has no desktop to follow anyway.

// noBusAddress is the session bus address set when there is none: godbus
// refuses it at once instead of running dbus-launch.
const noBusAddress = "disabled:"

// themeWatchError is the line Fyne logs (fyne.LogError) when it cannot
// watch the desktop's theme; its Cause and At lines follow.
const themeWatchError = "failed to watch theme settings"

// noSessionBusNote is what the app says instead, once.
const noSessionBusNote = "commons: no D-Bus session bus: the app cannot follow the desktop's light or dark setting (choose a theme in Settings)\n"

// noSessionBus reports whether no D-Bus session bus is known where
// godbus looks for one: the environment, then the user's runtime
// directory (/run/user/UID).
func noSessionBus(getenv func(string) string, runtimeDir string) bool {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return false
	}
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return false
	}
	for _, f := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(runtimeDir, f)); err == nil {
			return false
		}
	}
	return true
}

// quietDBus, when no session bus is known, keeps Fyne from running
// dbus-launch and replaces its error about the theme watcher with one
// line of explanation on stderr. It runs before the app is made.
func quietDBus() {
	if !noSessionBus(os.Getenv, fmt.Sprintf("/run/user/%d", os.Getuid())) {
		return
	}
	if err := os.Setenv("DBUS_SESSION_BUS_ADDRESS", noBusAddress); err != nil {
		return
	}
	log.SetOutput(&busLogFilter{out: os.Stderr})
}

// busLogFilter passes log output through, except that it replaces Fyne's
// theme-watch error (and its Cause and At lines) with noSessionBusNote.
// The log package writes each line in one Write.
type busLogFilter struct {
	mu       sync.Mutex
	out      io.Writer
	skipping bool
	said     bool
}

func (f *busLogFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	line := string(bytes.TrimRight(p, "\n"))
	switch {
	case strings.Contains(line, "Fyne error:") && strings.Contains(line, themeWatchError):
		f.skipping = true
		if !f.said {
			f.said = true
			if _, err := io.WriteString(f.out, noSessionBusNote); err != nil {
				return 0, fmt.Errorf("log: %w", err)
			}
		}
		return len(p), nil
	case f.skipping && (strings.Contains(line, "  Cause:") || strings.Contains(line, "  At:")):
		return len(p), nil
	}
	f.skipping = false
	return f.out.Write(p)
}
