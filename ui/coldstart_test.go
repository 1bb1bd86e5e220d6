package ui

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/mobile"
	"github.com/commons-society/commons/node"
	"github.com/commons-society/commons/node/bench"
)

// The phone's cold start (issue 11, §4): a fresh process opens a home of
// a large society with the phone store profile, unlocks it and builds the
// first screen with Fyne's test driver at 360 × 640 until Home shows the
// member's data. The parent (BenchmarkPhoneColdStart, TestPhoneColdStart)
// re-executes the test binary as that process (coldStartEnv names the
// home) and times it from its start to the line it prints once Home shows
// data; the child reports its peak RSS (VmHWM: the rusage of a child
// started with vfork counts the parent's memory too) and its phases.

// coldStartEnv makes the test binary run one cold start of the home it
// names instead of its tests (see init below).
const coldStartEnv = "COMMONS_COLDSTART_HOME"

// coldStart is what the child reports, as one JSON line.
type coldStart struct {
	// Unlock is the passphrase's key derivation and the store's opening,
	// UI the first screen's building and loading; both in ms.
	Unlock, UI float64
	// HWM is the process's peak resident set (KiB), Base its peak before
	// unlocking (the process with the app's packages, the test driver and
	// the translations); Greeting, Balance and Pending are what Home shows.
	HWM, Base int
	Greeting  string
	Balance   string
	Pending   string
	Err       string `json:",omitempty"`
}

func init() {
	if home := os.Getenv(coldStartEnv); home != "" {
		os.Exit(coldStartChild(home))
	}
}

// coldStartChild is the child: one cold start of home, reported on
// stdout; 1 when it fails.
func coldStartChild(home string) int {
	r := coldStart{}
	err := func() error {
		mobile.LimitMemory()
		if err := LoadTranslations("en"); err != nil {
			return err
		}
		a := test.NewApp()
		defer a.Quit()
		w := a.NewWindow(Title)
		w.Resize(fyne.NewSize(phoneWidth, 640))
		d := node.NewDesktop(home, node.DesktopConfig{Offline: true, Node: mobile.Options(node.Options{})})
		defer d.Close()
		base, err := bench.PeakRSS(0)
		if err != nil {
			return err
		}
		r.Base = base
		start := time.Now()
		if err := d.Unlock([]byte(bench.Passphrase)); err != nil {
			return err
		}
		r.Unlock = ms(time.Since(start))
		start = time.Now()
		u := New(a, w, d)
		defer u.Close()
		u.Start()
		u.Wait()
		r.UI = ms(time.Since(start))
		if !u.PhoneLayout() || u.tabs.SelectedIndex() != 0 {
			return errors.New("the first screen is not the phone layout's Home")
		}
		h := u.screens[0].(*homeScreen)
		r.Greeting, r.Balance, r.Pending = h.greeting.Text, h.balance.Text, h.pendingCard.Subtitle
		hwm, err := bench.PeakRSS(0)
		r.HWM = hwm
		return err
	}()
	if err != nil {
		r.Err = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil || r.Err != "" {
		return 1
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// coldStartHome writes a home of records records (transfers of them
// confirmed time-bank transfers of the member, 5 more waiting for their
// answer) with the phone store profile, in dir.
func coldStartHome(tb testing.TB, records, transfers int) *bench.Home {
	tb.Helper()
	const pending = 5
	h, err := bench.NewHistory(bench.HistoryConfig{Records: records - 2*transfers - pending, Dir: tb.TempDir(), Seed: 11, KDF: identity.KDFPhone})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	hm, err := bench.FillHome(h, bench.QueryConfig{Transfers: transfers, Pending: pending}, node.Options{StoreProfile: crdt.ProfilePhone})
	if err != nil {
		tb.Fatal(err)
	}
	if hm.Records != records {
		tb.Fatalf("the home holds %d records, want %d", hm.Records, records)
	}
	return hm
}

// runColdStart starts this test binary as a cold-start child of home and
// returns its report and the time from its start to the report.
func runColdStart(tb testing.TB, home string) (coldStart, time.Duration) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), coldStartEnv+"="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	line, rerr := bufio.NewReader(out).ReadBytes('\n')
	elapsed := time.Since(start)
	werr := cmd.Wait()
	var r coldStart
	if err := json.Unmarshal(line, &r); err != nil || rerr != nil || werr != nil || r.Err != "" {
		tb.Fatalf("cold start: %v %v %v %s; stderr: %s", werr, rerr, err, line, stderr.Bytes())
	}
	return r, elapsed
}

// TestPhoneColdStart: a cold start of a small society's home reaches
// Home with the member's data, and reports its phases and peak RSS.
func TestPhoneColdStart(t *testing.T) {
	hm := coldStartHome(t, 1_000, 20)
	r, elapsed := runColdStart(t, hm.Dir)
	for _, c := range []struct{ what, got, want string }{
		{"greeting", r.Greeting, "Hello, Member 0. Welcome to Bench society."},
		{"balance", r.Balance, "0 h"},
		{"pending", r.Pending, "5 transfers"},
	} {
		if c.got != c.want {
			t.Errorf("Home's %s: %q, want %q", c.what, c.got, c.want)
		}
	}
	if r.HWM <= r.Base || r.Base <= 0 || r.Unlock <= 0 || r.UI <= 0 || elapsed < time.Duration(r.Unlock+r.UI)*time.Millisecond {
		t.Errorf("implausible figures: %+v in %s", r, elapsed)
	}
	t.Logf("cold start in %s: unlock %.0f ms, first screen %.0f ms, peak RSS %d KiB (%d KiB before unlocking)", elapsed, r.Unlock, r.UI, r.HWM, r.Base)
}

// BenchmarkPhoneColdStart measures the phone's cold start on a society of
// 100,000 records (500 confirmed transfers of the member's and 5 waiting
// among them; the rest profile edits of 300 bytes from 4 devices), its key
// made on the phone (identity.KDFPhone), each iteration a fresh process
// with the phone's memory limit (mobile.LimitMemory): ms/start from its
// start to Home showing data, peak-MB its peak RSS (MiB; the highest of
// the iterations), base-MB its peak before unlocking, unlock-ms (the
// passphrase's argon2id derivation, 19 MiB, and the store's opening) and
// ui-ms (building the screens and loading Home) its phases (the last
// iteration's). Phone builds leave out Fyne's bundled emoji font (the
// phone has its own; scripts/package-phone.sh builds with -tags
// no_emoji), so run it as they are built:
//
//	go test -tags no_emoji ./ui -run '^$' -bench PhoneColdStart -benchtime 5x
func BenchmarkPhoneColdStart(b *testing.B) {
	hm := coldStartHome(b, 100_000, 500)
	b.ResetTimer()
	var total time.Duration
	var peak, base int
	var last coldStart
	for range b.N {
		r, elapsed := runColdStart(b, hm.Dir)
		if r.Pending != "5 transfers" {
			b.Fatalf("Home shows %q waiting", r.Pending)
		}
		total += elapsed
		peak, base = max(peak, r.HWM), max(base, r.Base)
		last = r
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/start")
	b.ReportMetric(float64(peak)/1024, "peak-MB")
	b.ReportMetric(float64(base)/1024, "base-MB")
	b.ReportMetric(last.Unlock, "unlock-ms")
	b.ReportMetric(last.UI, "ui-ms")
	b.ReportMetric(0, "ns/op")
}
