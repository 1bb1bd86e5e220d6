package bench

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// PeakRSS is a process's peak resident set size in KiB (VmHWM of
// /proc/PID/status; PID 0 is this process). It is how the cold-start and
// startup benchmarks read a child's peak: the rusage of a child started
// with vfork counts the parent's memory too. Linux only: elsewhere it
// returns an error.
func PeakRSS(pid int) (int, error) {
	p := "/proc/self/status"
	if pid != 0 {
		p = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, fmt.Errorf("peak RSS: %w", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				return 0, fmt.Errorf("peak RSS: %w", err)
			}
			return n, nil
		}
	}
	return 0, errors.New("peak RSS: no VmHWM in " + p)
}
