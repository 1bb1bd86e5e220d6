package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/commons-society/commons/node"
)

func TestPickHome(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, c := range []struct {
		name, home, env string
		demo            bool
		want            string // suffix
	}{
		{"given", "/x/given", "", true, "/x/given"},
		{"env", "", "/x/env", false, "/x/env"},
		{"env, demo", "", "/x/env", true, "/x/env"},
		{"default", "", "", false, string(filepath.Separator) + "commons"},
		{"default demo", "", "", true, string(filepath.Separator) + "commons-demo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(node.HomeEnv, c.env)
			got, err := pickHome(c.home, c.demo)
			if err != nil || !strings.HasSuffix(got, c.want) {
				t.Fatalf("pickHome(%q, %v) = %q, %v; want …%s", c.home, c.demo, got, err, c.want)
			}
		})
	}
}

func TestFillDemo(t *testing.T) {
	home := filepath.Join(t.TempDir(), "demo")
	var progress strings.Builder
	if err := fillDemo(home, &progress); err != nil {
		t.Fatal(err)
	}
	if !node.IsDemo(home) {
		t.Fatal("the home is not a demo home")
	}
	if !strings.Contains(progress.String(), "writing the demo society into "+home) {
		t.Fatalf("filling the demo said %q", progress.String())
	}
	progress.Reset()
	if err := fillDemo(home, &progress); err != nil || progress.Len() != 0 {
		t.Fatalf("opening the demo again: %v, said %q", err, progress.String())
	}
	d := node.NewDesktop(home, node.DesktopConfig{Offline: true})
	defer d.Close()
	if err := d.Unlock([]byte(node.DemoPassphrase)); err != nil {
		t.Fatal(err)
	}

	// A member's own home is refused before anything says the demo is
	// being written into it.
	mine := filepath.Join(t.TempDir(), "mine")
	if _, err := node.Init(mine, "Zoe", "", []byte("secret passphrase")); err != nil {
		t.Fatal(err)
	}
	if err := fillDemo(mine, &progress); err == nil || !strings.Contains(err.Error(), "not the demo's") {
		t.Fatalf("fillDemo on a member's own home: %v", err)
	}
	if progress.Len() != 0 {
		t.Fatalf("refusing a member's home first said %q", progress.String())
	}
}
