// Command commons-node is the headless Commons peer and its command line:
// it creates an identity, founds or joins societies, edits the profile,
// and moves signed records in and out as CAR files. While another process
// (the app, or 'commons-node run') holds the store, the commands go
// through that process's control socket.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
	"github.com/prometheus/client_golang/prometheus"
)

const usage = usageHead + usageTimeBank + usageContrib + usageGovernance + usageApp + usageBench + usageTail + usageTimeBankNotes + usageContribNotes +
	usageGovernanceNotes

const usageHead = `usage: commons-node [--home DIR] [--verbose] COMMAND [ARGS]

commands:
  init --name NAME [--restore]           create (or restore) this member's identity
  identity phrase                        show the recovery phrase
  society create NAME                    found a society; prints its ID last
  invite [--society ID] [--hours H] [--uses N]
                                         make an invite code; prints it last
  invite revoke ID|CODE [--society ID]   withdraw an invite this device made
  join CODE                              ask to join with an invite code
  members [--society ID] [--json]        list members, their skills and devices
  leave [--society ID]                   leave a society
  remove MEMBER [--reason R]             founder: remove a member (ID or name)
  device revoke DEVICE_ID                revoke one of your devices (founder: any)
  profile set [--name N] [--bio B] [--skills a,b]
  offer|request add --skill S [--description D] [--availability A] [--place P]
                                         add to the directory; prints the listing ID last
  offer|request list [--skill S] [--search T] [--all] [--json]
  offer|request close ID                 close one of your listings
`

// usageTail follows the time bank's commands (usageTimeBank), the
// contribution ledger's (usageContrib) and the society's (usageApp).
const usageTail = `  status [--json]                        member, societies, state hashes
  export [--society ID] --records FILE.car
  import FILE.car                        verify and store a CAR file of records
  run [--listen MADDR]... [--peer MADDR]... [--no-mdns] [--relay-service] [--dht]
      [--log-level debug|info|warn|error] [--metrics 127.0.0.1:PORT]
                                         run the peer: replicate over libp2p and serve
                                         the control socket until SIGINT/SIGTERM; logs
                                         rejected records and penalised peers to stderr;
                                         --metrics serves Prometheus metrics (loopback only)

--home defaults to $COMMONS_HOME or the app's per-user directory.
--verbose adds the technical detail to error messages.
The passphrase comes from $COMMONS_PASSPHRASE or a terminal prompt; a new
one needs at least 8 characters. Commands that do not need it (status,
members, balance...) run without it, but refuse a wrong one if it is given.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// cli carries the global options and streams of one invocation.
type cli struct {
	home   string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// exitError carries an exit status with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Unwrap returns the error carried.
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := flag.NewFlagSet("commons-node", flag.ContinueOnError)
	g.SetOutput(io.Discard)
	home := g.String("home", "", "home directory")
	verbose := g.Bool("verbose", false, "print the technical detail of errors")
	bad := watchValues(g)
	if err := g.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "commons-node: %s\n%s", flagProblem(g, bad, err), usage)
		return 2
	}
	c := &cli{home: *home, stdin: stdin, stdout: stdout, stderr: stderr}
	if c.home == "" {
		h, err := node.DefaultHome()
		if err != nil {
			fmt.Fprintf(stderr, "commons-node: %v\n", err)
			return 1
		}
		c.home = h
	}
	rest := g.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	err := c.dispatch(rest[0], rest[1:])
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "commons-node: %s\n", readable(err))
	if *verbose {
		for _, d := range node.Details(err) {
			fmt.Fprintf(stderr, "  detail: %s\n", d)
		}
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.code == 2 {
			fmt.Fprint(stderr, "run 'commons-node --help' for usage\n")
		}
		return ee.code
	}
	return 1
}

// readable is an error's text without the package prefixes the layers
// add ("node: ", "ledger: "...), which mean nothing to a user.
func readable(err error) string {
	s := err.Error()
	for _, p := range []string{"node: ", "ledger: ", "crdt: ", "identity: ", "p2p: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

func (c *cli) dispatch(cmd string, args []string) error {
	switch cmd {
	case "help", "--help", "-h":
		fmt.Fprint(c.stdout, usage)
		return nil
	case "init":
		return c.cmdInit(args)
	case "identity":
		return c.cmdIdentity(args)
	case "society":
		return c.cmdSociety(args)
	case "invite":
		return c.cmdInvite(args)
	case "join":
		return c.cmdJoin(args)
	case "members":
		return c.cmdMembers(args)
	case "offer", "request":
		return c.cmdListing(cmd, args)
	case "leave":
		return c.cmdLeave(args)
	case "remove":
		return c.cmdRemove(args)
	case "device":
		return c.cmdDevice(args)
	case "profile":
		return c.cmdProfile(args)
	case "status":
		return c.cmdStatus(args)
	case "export":
		return c.cmdExport(args)
	case "import":
		return c.cmdImport(args)
	case "run":
		return c.cmdRun(args)
	case "bench":
		return c.cmdBench(args)

	// Time bank (timebank.go).
	case "hours":
		return c.cmdHours(args)
	case "balance":
		return c.cmdBalance(args)
	case "statement":
		return c.cmdStatement(args)

	// Contributions (contrib.go).
	case "contrib":
		return c.cmdContrib(args)
	case "cv":
		return c.cmdCV(args)

	// Council governance (governance.go).
	case "council":
		return c.cmdCouncil(args)
	case "proposal":
		return c.cmdProposal(args)
	case "vote":
		return c.cmdVote(args)
	case "delegate", "undelegate":
		return c.cmdDelegate(args, cmd == "delegate")
	case "delegation":
		return c.cmdDelegation(args)
	case "treasury":
		return c.cmdTreasury(args)

	// The society (society.go).
	case "activity":
		return c.cmdActivity(args)
	}
	return usageErr("unknown command %q", cmd)
}

// flags parses a subcommand's flags, allowing them before or after the
// positional arguments; it returns the positional arguments.
func flags(fs *flag.FlagSet, args []string, nPos int) ([]string, error) {
	fs.SetOutput(io.Discard)
	bad := watchValues(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &exitError{code: 2, err: &node.DetailError{
				Err: fmt.Errorf("%s: %s", fs.Name(), flagProblem(fs, bad, err)), Detail: err}}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if nPos >= 0 && len(pos) != nPos {
		return nil, usageErr("%s: want %d argument(s), got %d", fs.Name(), nPos, len(pos))
	}
	return pos, nil
}

// badValue is the flag value that a FlagSet could not parse.
type badValue struct {
	name, value string
	err         error
}

// watchedValue records the value its flag refuses.
type watchedValue struct {
	flag.Value
	name string
	bad  *badValue
}

func (w watchedValue) Set(v string) error {
	err := w.Value.Set(v)
	if err != nil && w.bad.err == nil {
		*w.bad = badValue{name: w.name, value: v, err: err}
	}
	return err
}

// watchValues wraps the non-boolean flags of fs so that a refused value is
// known by flag, value and cause (the flag package only formats them).
func watchValues(fs *flag.FlagSet) *badValue {
	bad := new(badValue)
	fs.VisitAll(func(f *flag.Flag) {
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			return
		}
		if _, ok := f.Value.(watchedValue); !ok {
			f.Value = watchedValue{Value: f.Value, name: f.Name, bad: bad}
		}
	})
	return bad
}

// flagProblem says in the user's terms what is wrong with the options that
// fs could not parse (err is the flag package's error).
func flagProblem(fs *flag.FlagSet, bad *badValue, err error) string {
	if bad.err != nil {
		f := fs.Lookup(bad.name)
		var kind any
		if g, ok := f.Value.(watchedValue).Value.(flag.Getter); ok {
			kind = g.Get()
		}
		tooBig := strings.Contains(bad.err.Error(), "out of range")
		switch kind.(type) {
		case int, int64:
			if tooBig {
				return fmt.Sprintf("--%s: %q is too large", bad.name, bad.value)
			}
			return fmt.Sprintf("--%s: %q is not a whole number", bad.name, bad.value)
		case uint, uint64:
			if tooBig {
				return fmt.Sprintf("--%s: %q is too large", bad.name, bad.value)
			}
			return fmt.Sprintf("--%s: %q is not a whole number of zero or more", bad.name, bad.value)
		case float64:
			return fmt.Sprintf("--%s: %q is not a number", bad.name, bad.value)
		case time.Duration:
			return fmt.Sprintf("--%s: %q is not a duration (write it like 30s, 15m or 1h30m)", bad.name, bad.value)
		}
		// A flag with its own parser already says what is wrong.
		return fmt.Sprintf("--%s: %v", bad.name, bad.err)
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Sprintf("there is no option --%s for this command", strings.TrimLeft(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Sprintf("--%s needs a value", strings.TrimLeft(name, "-"))
	}
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if _, after, found := strings.Cut(rest, " for -"); found {
			name, _, _ := strings.Cut(after, ":")
			return fmt.Sprintf("--%s is on or off: give it alone, or as --%s=true or --%s=false", name, name, name)
		}
	}
	return msg
}

func (c *cli) paths() node.Paths { return node.Paths{Home: c.home} }

// with runs fn with the API of this home: the running node's control
// socket if there is one, otherwise the store opened in this process
// (unlocking the identity when keys is true) and closed afterwards.
func (c *cli) with(keys bool, fn func(api node.API) error) error {
	if cl, err := node.Dial(c.paths()); err == nil {
		if err := c.checkGiven(); err != nil {
			return err
		}
		return fn(cl)
	}
	n, err := c.openLocal(keys, false)
	if errors.Is(err, node.ErrBusy) {
		// A peer started while this command waited for the store.
		if cl, derr := node.Dial(c.paths()); derr == nil {
			return fn(cl)
		}
	}
	if err != nil {
		return err
	}
	defer n.Close()
	return fn(n)
}

// openLocal opens the home's node in this process; peer is true for
// 'run', which has priority on the store over one-shot commands.
func (c *cli) openLocal(keys, peer bool) (*node.Node, error) {
	if _, err := node.LoadPublic(c.paths()); err != nil {
		return nil, err
	}
	var id *identity.Identity
	if !keys {
		if err := c.checkGiven(); err != nil {
			return nil, err
		}
	} else {
		pass, err := identity.Passphrase("Passphrase: ", false)
		if err != nil {
			return nil, err
		}
		if id, err = c.loadIdentity(pass); err != nil {
			return nil, err
		}
	}
	return node.Open(c.home, id, node.Options{LockWait: lockWait, Peer: peer, OnWait: func() {
		fmt.Fprintf(c.stderr, "commons-node: %s is in use by another process; waiting for it\n", c.home)
	}})
}

// checkGiven checks a passphrase given in $COMMONS_PASSPHRASE to a
// command that does not use the key (a read command, or any command
// served by a running peer): it must be the right one, so that a wrong
// passphrase never ends in success. With none given there is nothing to
// check.
func (c *cli) checkGiven() error {
	pass, given, err := identity.GivenPassphrase()
	if err != nil || !given {
		return err
	}
	if _, err := node.LoadPublic(c.paths()); err != nil {
		return err
	}
	_, err = c.loadIdentity(pass)
	return err
}

// loadIdentity unlocks the home's key file, telling a wrong passphrase in
// the user's terms.
func (c *cli) loadIdentity(pass []byte) (*identity.Identity, error) {
	id, err := identity.Load(c.paths().Identity(), pass)
	if errors.Is(err, identity.ErrWrongPassphrase) {
		return nil, &node.DetailError{Err: errors.New("wrong passphrase (or a damaged key file)"), Detail: err}
	}
	return id, err
}

// lockWait is how long a command waits for the store while another
// process holds it (tests shorten it).
var lockWait = node.DefaultLockWait

func (c *cli) cmdInit(args []string) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	name := fs.String("name", "", "your display name")
	restore := fs.Bool("restore", false, "restore the member key from a recovery phrase read from standard input")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return usageErr("init: --name is required")
	}
	var phrase string
	if *restore {
		fmt.Fprintln(c.stderr, "Recovery phrase (24 words), then Enter:")
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("init: read recovery phrase: %w", err)
		}
		phrase = strings.TrimSpace(line)
	}
	pass, err := identity.Passphrase(fmt.Sprintf("New passphrase (at least %d characters): ", identity.MinPassphraseLen), true)
	if err != nil {
		return err
	}
	id, err := node.Init(c.home, *name, phrase, pass)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "home:   %s\ndevice: %s\n", c.home, id.DeviceID())
	if !*restore {
		p, err := id.RecoveryPhrase()
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "recovery phrase (write it down; it restores your membership):\n  %s\n", p)
	}
	fmt.Fprintf(c.stdout, "member: %s\n", id.MemberID())
	return nil
}

func (c *cli) cmdIdentity(args []string) error {
	if len(args) != 1 || args[0] != "phrase" {
		return usageErr("identity: want 'identity phrase'")
	}
	pass, err := identity.Passphrase("Passphrase: ", false)
	if err != nil {
		return err
	}
	id, err := c.loadIdentity(pass)
	if err != nil {
		return err
	}
	p, err := id.RecoveryPhrase()
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, p)
	return nil
}

func (c *cli) cmdSociety(args []string) error {
	if len(args) > 0 && args[0] == "settings" {
		return c.cmdSocietySettings(args[1:])
	}
	if len(args) < 1 || args[0] != "create" {
		return usageErr("society: want 'society create NAME' or 'society settings'")
	}
	fs := flag.NewFlagSet("society create", flag.ContinueOnError)
	pos, err := flags(fs, args[1:], -1)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(strings.Join(pos, " "))
	if name == "" {
		return usageErr("society create: a NAME is required")
	}
	return c.with(true, func(api node.API) error {
		s, err := api.CreateSociety(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "founded %q\n%s\n", s.Name, s.ID)
		return nil
	})
}

func (c *cli) cmdInvite(args []string) error {
	if len(args) > 0 && args[0] == "list" {
		return c.cmdInviteList(args[1:])
	}
	if len(args) > 0 && args[0] == "revoke" {
		fs := flag.NewFlagSet("invite revoke", flag.ContinueOnError)
		soc := fs.String("society", "", "society ID")
		pos, err := flags(fs, args[1:], 1)
		if err != nil {
			return err
		}
		return c.with(true, func(api node.API) error {
			if err := api.RevokeInvite(node.RevokeInviteRequest{Society: *soc, Invite: pos[0]}); err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, "invite revoked")
			return nil
		})
	}
	fs := flag.NewFlagSet("invite", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	hours := fs.Int("hours", 168, "hours the invite stays usable")
	uses := fs.Int("uses", 1, "how many people may join with it")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	if *hours < 1 || *uses < 1 {
		return usageErr("invite: --hours and --uses must be at least 1")
	}
	return c.with(true, func(api node.API) error {
		r, err := api.Invite(node.InviteRequest{Society: *soc, ExpiresHours: *hours, Uses: *uses})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "invite for society %s, usable until %s:\n%s\n", r.Society, r.Expires, r.Code)
		return nil
	})
}

func (c *cli) cmdJoin(args []string) error {
	fs := flag.NewFlagSet("join", flag.ContinueOnError)
	pos, err := flags(fs, args, 1)
	if err != nil {
		return err
	}
	if _, err := node.ParseInviteCode(pos[0]); err != nil {
		return &exitError{code: 2, err: err}
	}
	return c.with(true, func(api node.API) error {
		r, err := api.Join(pos[0])
		if err != nil {
			return err
		}
		if r.Admitted {
			fmt.Fprintf(c.stdout, "joined %q\n", r.Name)
		} else {
			fmt.Fprintf(c.stdout, "asked to join %q; you become a member when the inviter's device admits you\n"+
				"(send it your records: commons-node export --records FILE.car)\n", r.Name)
		}
		fmt.Fprintln(c.stdout, r.Society)
		return nil
	})
}

func (c *cli) cmdProfile(args []string) error {
	if len(args) < 1 || args[0] != "set" {
		return usageErr("profile: want 'profile set [--name N] [--bio B] [--skills a,b]'")
	}
	fs := flag.NewFlagSet("profile set", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	var req node.ProfileRequest
	fs.Func("name", "display name", func(s string) error { req.Name = &s; return nil })
	fs.Func("bio", "a few words about you", func(s string) error { req.Bio = &s; return nil })
	fs.Func("skills", "comma-separated skills", func(s string) error {
		var sk []string
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				sk = append(sk, x)
			}
		}
		if sk == nil {
			sk = []string{}
		}
		req.Skills = &sk
		return nil
	})
	if _, err := flags(fs, args[1:], 0); err != nil {
		return err
	}
	if req.Name == nil && req.Bio == nil && req.Skills == nil {
		return usageErr("profile set: give at least one of --name, --bio, --skills")
	}
	req.Society = *soc
	return c.with(true, func(api node.API) error {
		if err := api.SetProfile(req); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "profile updated")
		return nil
	})
}

func (c *cli) cmdStatus(args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	return c.with(false, func(api node.API) error {
		st, err := api.Status()
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		}
		fmt.Fprintf(c.stdout, "member  %s (%s)\ndevice  %s\n", st.Member.Name, st.Member.ID, st.Member.DeviceID)
		if len(st.Societies) == 0 {
			fmt.Fprintln(c.stdout, "no societies yet: 'society create NAME' or 'join CODE'")
		}
		for _, s := range st.Societies {
			fmt.Fprintf(c.stdout, "\nsociety %s\n  id       %s\n  me       %s\n  members  %d\n  records  %d\n  state    %s\n",
				s.Name, s.ID, s.Me, s.Members, s.Records, s.StateHash)
			if s.Forks > 0 {
				fmt.Fprintf(c.stdout, "  forks    %d device(s) flagged for equivocation\n", s.Forks)
			}
		}
		if st.Network != nil {
			fmt.Fprintf(c.stdout, "\nnetwork  %d peer(s); %s\n", len(st.Network.Peers), st.Network.Rejections.Summary())
		}
		return nil
	})
}

func (c *cli) cmdExport(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	file := fs.String("records", "", "CAR file to write")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	if *file == "" {
		return usageErr("export: --records FILE.car is required")
	}
	abs, err := filepath.Abs(*file)
	if err != nil {
		return err
	}
	return c.with(false, func(api node.API) error {
		r, err := api.Export(node.ExportRequest{Society: *soc, Path: abs})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "exported %d records of %s\n%s\n", r.Records, r.Society, r.Path)
		return nil
	})
}

func (c *cli) cmdImport(args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	pos, err := flags(fs, args, 1)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(pos[0])
	if err != nil {
		return err
	}
	return c.with(true, func(api node.API) error {
		r, err := api.Import(abs)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "society %s\nstored %d, already held %d, waiting for missing parents %d, rejected %d, admitted %d\n",
			r.Society, r.Stored, r.Duplicates, r.Waiting, len(r.Rejected), r.Admitted)
		for _, x := range r.Rejected {
			fmt.Fprintf(c.stdout, "  rejected %s\n", x)
		}
		fmt.Fprintf(c.stdout, "state %s\n", r.StateHash)
		if len(r.Rejected) > 0 {
			return &exitError{code: 1, err: fmt.Errorf("%d record(s) rejected", len(r.Rejected))}
		}
		return nil
	})
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *cli) cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var listen, peers multiFlag
	fs.Var(&listen, "listen", "multiaddr to listen on (repeatable; default all interfaces, TCP and QUIC)")
	fs.Var(&peers, "peer", "static peer multiaddr with /p2p/ID (repeatable)")
	noMDNS := fs.Bool("no-mdns", false, "do not look for peers on the LAN with mDNS")
	relay := fs.Bool("relay-service", false, "serve as a circuit relay for members behind NAT")
	punch := fs.Bool("hole-punching", true, "try direct connections through NAT (DCUtR)")
	dht := fs.Bool("dht", false, "find society members through a private DHT rendezvous (WAN)")
	interval := fs.Duration("sync-interval", time.Minute, "mean time between periodic syncs")
	level := slog.LevelInfo
	fs.Func("log-level", "log level: debug, info, warn or error (default info)", func(s string) (err error) {
		level, err = node.ParseLogLevel(s)
		return err
	})
	metrics := fs.String("metrics", "", "serve Prometheus metrics at http://HOST:PORT/metrics, HOST a loopback address")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	if *metrics != "" {
		if _, err := node.CheckMetricsAddr(*metrics); err != nil {
			return usageErr("run: --metrics: %w", err)
		}
	}
	if _, err := node.Dial(c.paths()); err == nil {
		return fmt.Errorf("another process already serves %s", c.paths().Socket())
	}
	n, err := c.openLocal(true, true)
	if errors.Is(err, node.ErrBusy) {
		return fmt.Errorf("another process already serves %s", c.paths().Socket())
	}
	if err != nil {
		return err
	}
	defer n.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := node.NetConfig{Listen: listen, Peers: peers, MDNS: !*noMDNS, RelayService: *relay, HolePunching: *punch,
		DHT: *dht, SyncInterval: *interval, Logger: node.NewLogger(c.stderr, level)}
	var reg *prometheus.Registry
	if *metrics != "" {
		reg = node.NewMetricsRegistry()
		cfg.Metrics = reg
	}
	if err := n.StartNetwork(ctx, cfg); err != nil {
		return err
	}
	var ms *node.MetricsServer
	if reg != nil {
		if ms, err = node.ServeMetrics(*metrics, reg); err != nil {
			return err
		}
		defer ms.Close()
	}
	srv, err := node.Listen(c.paths(), n)
	if err != nil {
		return err
	}
	st, err := n.Status()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "member %s (%s)\n", st.Member.ID, st.Member.Name)
	if st.Network != nil {
		for _, a := range st.Network.Addrs {
			fmt.Fprintf(c.stdout, "listening on %s\n", a)
		}
	}
	if ms != nil {
		fmt.Fprintf(c.stdout, "metrics on %s\n", ms.URL())
	}
	fmt.Fprintf(c.stdout, "control socket %s\n", c.paths().Socket())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx) }()
	<-ctx.Done()
	srv.Close()
	if err := <-errc; err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "stopped")
	return nil
}

func (c *cli) cmdMembers(args []string) error {
	fs := flag.NewFlagSet("members", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	return c.with(false, func(api node.API) error {
		ms, err := api.Members(node.SocietyRequest{Society: *soc})
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(ms)
		}
		for _, m := range ms {
			fmt.Fprintf(c.stdout, "%-20s %-8s %s\n", m.Name, m.Status, m.ID)
			if len(m.RevokedDevices) > 0 {
				fmt.Fprintf(c.stdout, "    revoked devices: %s\n", strings.Join(m.RevokedDevices, ", "))
			}
			if len(m.Skills) > 0 {
				fmt.Fprintf(c.stdout, "    skills: %s\n", strings.Join(m.Skills, ", "))
			}
		}
		return nil
	})
}

func (c *cli) cmdLeave(args []string) error {
	fs := flag.NewFlagSet("leave", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	return c.with(true, func(api node.API) error {
		if err := api.Leave(node.SocietyRequest{Society: *soc}); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "left the society")
		return nil
	})
}

func (c *cli) cmdRemove(args []string) error {
	fs := flag.NewFlagSet("remove", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	reason := fs.String("reason", "", "why (shown to members)")
	pos, err := flags(fs, args, 1)
	if err != nil {
		return err
	}
	return c.with(true, func(api node.API) error {
		if err := api.Remove(node.RemoveRequest{Society: *soc, Member: pos[0], Reason: *reason}); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "member removed")
		return nil
	})
}

func (c *cli) cmdDevice(args []string) error {
	if len(args) < 1 || args[0] != "revoke" {
		return usageErr("device: want 'device revoke DEVICE_ID'")
	}
	fs := flag.NewFlagSet("device revoke", flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	pos, err := flags(fs, args[1:], 1)
	if err != nil {
		return err
	}
	return c.with(true, func(api node.API) error {
		if err := api.RevokeDevice(node.RevokeDeviceRequest{Society: *soc, Device: pos[0]}); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "device revoked")
		return nil
	})
}

func (c *cli) cmdListing(kind string, args []string) error {
	if len(args) < 1 {
		return usageErr("%s: want '%s add|list|close'", kind, kind)
	}
	sub := args[0]
	fs := flag.NewFlagSet(kind+" "+sub, flag.ContinueOnError)
	soc := fs.String("society", "", "society ID")
	switch sub {
	case "add":
		skill := fs.String("skill", "", "the skill offered or asked for")
		desc := fs.String("description", "", "what, in a few words")
		avail := fs.String("availability", "", "when")
		place := fs.String("place", "", "where (optional)")
		if _, err := flags(fs, args[1:], 0); err != nil {
			return err
		}
		if strings.TrimSpace(*skill) == "" {
			return usageErr("%s add: --skill is required", kind)
		}
		return c.with(true, func(api node.API) error {
			id, err := api.AddListing(node.ListingRequest{Society: *soc, Kind: kind, Skill: *skill, Description: *desc, Availability: *avail, Place: *place})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s added\n%s\n", kind, id)
			return nil
		})
	case "list":
		skill := fs.String("skill", "", "only this skill")
		text := fs.String("search", "", "words to look for")
		all := fs.Bool("all", false, "include closed listings")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := flags(fs, args[1:], 0); err != nil {
			return err
		}
		return c.with(false, func(api node.API) error {
			ls, err := api.Listings(node.ListingsRequest{Society: *soc, Kind: kind, Skill: *skill, Text: *text, All: *all})
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(c.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(ls)
			}
			if len(ls) == 0 {
				fmt.Fprintf(c.stdout, "no %ss found\n", kind)
			}
			for _, l := range ls {
				state := ""
				if !l.Open {
					state = " (closed)"
				}
				fmt.Fprintf(c.stdout, "%s  %-14s %s%s\n    by %s; %s", l.Created, l.Skill, l.Description, state, l.MemberName, l.ID)
				if l.Availability != "" {
					fmt.Fprintf(c.stdout, "; when: %s", l.Availability)
				}
				if l.Place != "" {
					fmt.Fprintf(c.stdout, "; where: %s", l.Place)
				}
				fmt.Fprintln(c.stdout)
			}
			return nil
		})
	case "close":
		pos, err := flags(fs, args[1:], 1)
		if err != nil {
			return err
		}
		return c.with(true, func(api node.API) error {
			if err := api.CloseListing(node.CloseListingRequest{Society: *soc, ID: pos[0]}); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s closed\n", kind)
			return nil
		})
	}
	return usageErr("%s: unknown subcommand %q (add, list, close)", kind, sub)
}
