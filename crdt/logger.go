package crdt

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// quietLogger drops Badger's informational chatter, keeping warnings and
// errors, except the block-cache statistics Badger prints when a store
// closes: they speak of its caches, which the store's profile sizes on
// purpose, and mean nothing to a member reading their terminal.
type quietLogger struct{ w io.Writer }

// badgerChatter are the formats of the cache statistics quietLogger drops.
var badgerChatter = []string{"Block cache might be too small", "Cache life expectancy"}

func (l quietLogger) out() io.Writer {
	if l.w == nil {
		return os.Stderr
	}
	return l.w
}

func (l quietLogger) Errorf(f string, a ...any) { fmt.Fprintf(l.out(), "badger: "+f, a...) }
func (l quietLogger) Warningf(f string, a ...any) {
	for _, c := range badgerChatter {
		if strings.HasPrefix(f, c) {
			return
		}
	}
	fmt.Fprintf(l.out(), "badger: "+f, a...)
}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
