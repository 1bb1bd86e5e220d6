package crdt

import (
	"strings"
	"testing"
)

// TestQuietLogger: Badger's block-cache statistics at close are dropped;
// its other warnings and errors reach the terminal, and its information
// does not.
func TestQuietLogger(t *testing.T) {
	for _, tt := range []struct {
		name string
		log  func(quietLogger)
		want string
	}{
		{"cache statistics", func(l quietLogger) { l.Warningf("Block cache might be too small. Metrics: %s\n", "hit: 1") }, ""},
		{"cache life", func(l quietLogger) { l.Warningf("Cache life expectancy (in seconds): %s\n", "Min value: 0") }, ""},
		{"other warning", func(l quietLogger) { l.Warningf("value log %d truncated\n", 3) }, "badger: value log 3 truncated\n"},
		{"error", func(l quietLogger) { l.Errorf("disk %s\n", "full") }, "badger: disk full\n"},
		{"information", func(l quietLogger) { l.Infof("opened %d tables\n", 2) }, ""},
		{"debug", func(l quietLogger) { l.Debugf("flush\n") }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			tt.log(quietLogger{w: &b})
			if b.String() != tt.want {
				t.Errorf("printed %q, want %q", b.String(), tt.want)
			}
		})
	}
}
