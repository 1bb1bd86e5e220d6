package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// The control socket speaks one JSON request and one JSON response per
// connection. Only the owner of the home can reach it (mode 0600 in a 0700
// directory).

type request struct {
	Cmd  string          `json:"cmd"`
	Args json.RawMessage `json:"args"`
}

type response struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// ErrNotRunning means no process serves the control socket.
var ErrNotRunning = errors.New("node: no running node holds this home")

// Server serves an API on a control socket.
type Server struct {
	ln   net.Listener
	api  API
	wg   sync.WaitGroup
	path string
	quit chan struct{} // closed on shutdown: drops idle connections
	once sync.Once
}

// Listen creates the control socket of a home, replacing a stale one left
// by a process that died. It fails if a live process already serves it.
func Listen(p Paths, api API) (*Server, error) {
	path := p.Socket()
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("node: another process already serves %s", path)
	}
	_ = os.Remove(path)
	old := umask(0o177)
	ln, err := net.Listen("unix", path)
	umask(old)
	if err != nil {
		return nil, fmt.Errorf("node: control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("node: control socket: %w", err)
	}
	return &Server{ln: ln, api: api, path: path, quit: make(chan struct{})}, nil
}

// Serve answers requests until ctx ends or Close is called.
func (s *Server) Serve(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		s.ln.Close()
	}()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			s.shutdown()
			s.wg.Wait()
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("node: control socket: %w", err)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

// Close stops the server and removes the socket file.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.shutdown()
	s.wg.Wait()
	_ = os.Remove(s.path)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// shutdown closes the connections still open, so that a client that
// never sends its request cannot hold Serve and Close.
func (s *Server) shutdown() { s.once.Do(func() { close(s.quit) }) }

func (s *Server) handle(c net.Conn) {
	defer c.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-s.quit:
			c.Close()
		case <-done:
		}
	}()
	var req request
	dec := json.NewDecoder(io.LimitReader(c, 1<<20))
	var resp response
	if err := dec.Decode(&req); err != nil {
		resp.Error = fmt.Sprintf("bad request: %v", err)
	} else {
		out, err := s.dispatch(req)
		if err != nil {
			resp.Error = err.Error()
		} else if resp.Result, err = json.Marshal(out); err != nil {
			resp.Error = err.Error()
		}
	}
	_ = json.NewEncoder(c).Encode(resp)
}

func decodeArgs(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("bad arguments: %w", err)
	}
	return nil
}

func (s *Server) dispatch(req request) (any, error) {
	serve, ok := commands[req.Cmd]
	if !ok {
		return nil, fmt.Errorf("unknown command %q", req.Cmd)
	}
	return serve(s.api, req.Args)
}

// Client is an API reached over a control socket.
type Client struct{ path string }

// Dial returns a client of the node serving a home, or ErrNotRunning.
func Dial(p Paths) (*Client, error) {
	c, err := net.DialTimeout("unix", p.Socket(), time.Second)
	if err != nil {
		return nil, ErrNotRunning
	}
	c.Close()
	return &Client{path: p.Socket()}, nil
}

// RemoteError is an error reported by the serving node.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

func (c *Client) call(cmd string, args, out any) error {
	conn, err := net.Dial("unix", c.path)
	if err != nil {
		return fmt.Errorf("node: control socket: %w", err)
	}
	defer conn.Close()
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(conn).Encode(request{Cmd: cmd, Args: raw}); err != nil {
		return fmt.Errorf("node: control socket: %w", err)
	}
	var resp response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return fmt.Errorf("node: control socket: %w", err)
	}
	if resp.Error != "" {
		return &RemoteError{Msg: resp.Error}
	}
	if out != nil {
		if err := json.Unmarshal(resp.Result, out); err != nil {
			return fmt.Errorf("node: control socket: %w", err)
		}
	}
	return nil
}
