package repocheck

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// MaxSize is the largest file the repository may track, screenshots
// excepted.
const MaxSize = 4 << 20

// Exempt reports whether a tracked path may exceed MaxSize: the pictures
// that `make screenshots` writes.
func Exempt(path string) bool {
	return strings.HasPrefix(path, "docs/screenshots/") && strings.HasSuffix(path, ".png")
}

// Tracked is one file in git's index.
type Tracked struct {
	Path string // slash-separated, relative to the repository root
	Mode string // git's mode, e.g. "100644" or "100755"
}

// List returns the files git tracks under root.
func List(root string) ([]Tracked, error) {
	cmd := exec.Command("git", "ls-files", "-s", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", root, err)
	}
	var files []Tracked
	for _, entry := range bytes.Split(out, []byte{0}) {
		if len(entry) == 0 {
			continue
		}
		// "<mode> <object> <stage>\t<path>"
		meta, path, ok := bytes.Cut(entry, []byte{'\t'})
		if !ok {
			return nil, fmt.Errorf("git ls-files: unexpected line %q", entry)
		}
		mode, _, _ := bytes.Cut(meta, []byte{' '})
		files = append(files, Tracked{Path: string(path), Mode: string(mode)})
	}
	return files, nil
}

// magics are the first bytes of executable formats.
var magics = []struct {
	name  string
	magic []byte
}{
	{"ELF executable", []byte("\x7fELF")},
	{"Mach-O executable", []byte{0xfe, 0xed, 0xfa, 0xce}},
	{"Mach-O executable", []byte{0xfe, 0xed, 0xfa, 0xcf}},
	{"Mach-O executable", []byte{0xce, 0xfa, 0xed, 0xfe}},
	{"Mach-O executable", []byte{0xcf, 0xfa, 0xed, 0xfe}},
	{"Mach-O universal binary", []byte{0xca, 0xfe, 0xba, 0xbe}},
	{"Windows executable", []byte("MZ")},
	{"WebAssembly module", []byte("\x00asm")},
}

// Problem is one tracked file that must not be in the repository.
type Problem struct {
	Path   string
	Reason string
}

func (p Problem) String() string { return p.Path + ": " + p.Reason }

// Check returns the tracked files under root that are executable binaries
// or larger than MaxSize (screenshots excepted). A tracked file missing from
// the work tree (deleted but not yet committed) is skipped.
func Check(root string) ([]Problem, error) {
	files, err := List(root)
	if err != nil {
		return nil, err
	}
	var problems []Problem
	for _, f := range files {
		p, err := checkFile(root, f)
		if err != nil {
			return nil, err
		}
		if p != "" {
			problems = append(problems, Problem{Path: f.Path, Reason: p})
		}
	}
	return problems, nil
}

func checkFile(root string, f Tracked) (string, error) {
	name := filepath.Join(root, filepath.FromSlash(f.Path))
	fd, err := os.Open(name)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("check %s: %w", f.Path, err)
	}
	defer fd.Close()
	st, err := fd.Stat()
	if err != nil {
		return "", fmt.Errorf("check %s: %w", f.Path, err)
	}
	if !st.Mode().IsRegular() {
		return "", nil
	}
	head := make([]byte, 4)
	n, err := io.ReadFull(fd, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("check %s: %w", f.Path, err)
	}
	head = head[:n]
	for _, m := range magics {
		if bytes.HasPrefix(head, m.magic) {
			return "a built " + m.name + " (build outputs belong in bin/, which git ignores)", nil
		}
	}
	if f.Mode == "100755" && !bytes.HasPrefix(head, []byte("#!")) {
		return "marked executable but not a script (a build output?)", nil
	}
	if st.Size() > MaxSize && !Exempt(f.Path) {
		return fmt.Sprintf("%.1f MB, over the %d MB limit for tracked files", float64(st.Size())/(1<<20), MaxSize>>20), nil
	}
	return "", nil
}
