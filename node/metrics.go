package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ErrMetricsAddr is wrapped by the errors of CheckMetricsAddr.
var ErrMetricsAddr = errors.New("node: bad metrics address")

// CheckMetricsAddr checks an address to serve metrics on: HOST:PORT where
// HOST is a loopback address (127.0.0.1, ::1 in brackets, or localhost),
// so that only this machine can read them. It returns the address to
// listen on (localhost as 127.0.0.1).
func CheckMetricsAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not HOST:PORT (give 127.0.0.1:PORT)", ErrMetricsAddr, addr)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", fmt.Errorf("%w: %q: the port must be a number from 0 to 65535", ErrMetricsAddr, addr)
	}
	port = strconv.FormatUint(n, 10)
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() || ip.Zone() != "" {
		return "", fmt.Errorf("%w: %q is not a loopback address: metrics are served to this machine only (give 127.0.0.1:PORT or [::1]:PORT)", ErrMetricsAddr, addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// NewMetricsRegistry returns a Prometheus registry holding the Go
// runtime's and the process's metrics; StartNetwork adds libp2p's and
// Commons' (NetConfig.Metrics).
func NewMetricsRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// MetricsServer serves a registry's metrics over HTTP at /metrics.
type MetricsServer struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// ServeMetrics serves reg at http://ADDR/metrics, ADDR a loopback address
// (CheckMetricsAddr; port 0 picks a free port, see Addr).
func ServeMetrics(addr string, reg *prometheus.Registry) (*MetricsServer, error) {
	addr, err := CheckMetricsAddr(addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("node: serve metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	m := &MetricsServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln: ln, done: make(chan error, 1)}
	go func() { m.done <- m.srv.Serve(ln) }()
	return m, nil
}

// URL is where the metrics are served.
func (m *MetricsServer) URL() string { return "http://" + m.ln.Addr().String() + "/metrics" }

// Close stops serving.
func (m *MetricsServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := m.srv.Shutdown(ctx)
	if serr := <-m.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// Descriptions of Commons' metrics (netCollector).
var (
	descStored = prometheus.NewDesc("commons_records_stored_total",
		"Records received from peers and stored, by way of arrival (gossip, sync).", []string{"via"}, nil)
	descRejected = prometheus.NewDesc("commons_records_rejected_total",
		"Records (gossip messages, or sync sessions cut for invalid data) refused, by reason and way of arrival.", []string{"reason", "via"}, nil)
	descPenalised = prometheus.NewDesc("commons_peers_penalised_total",
		"Times a peer lost GossipSub score and was disconnected for invalid sync data.", nil, nil)
	descSyncs = prometheus.NewDesc("commons_syncs_total",
		"Sync sessions ended, both directions, by result (ok, failed).", []string{"result"}, nil)
	descPeers = prometheus.NewDesc("commons_peers",
		"Peers connected now.", nil, nil)
	descSuppressed = prometheus.NewDesc("commons_log_lines_suppressed_total",
		"Log lines about rejections left out by the log's rate limit.", nil, nil)
)

// netCollector exports a network's counts as Prometheus metrics, read at
// scrape time.
type netCollector struct{ pn *p2pNet }

// Describe implements prometheus.Collector.
func (c netCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descStored, descRejected, descPenalised, descSyncs, descPeers, descSuppressed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c netCollector) Collect(ch chan<- prometheus.Metric) {
	o := c.pn.obs
	o.mu.Lock()
	for _, via := range []string{viaGossip, viaSync} {
		ch <- prometheus.MustNewConstMetric(descStored, prometheus.CounterValue, float64(o.stored[via]), via)
	}
	for k, v := range o.byVia {
		ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(v), k.reason, k.via)
	}
	ch <- prometheus.MustNewConstMetric(descPenalised, prometheus.CounterValue, float64(o.penalties))
	ch <- prometheus.MustNewConstMetric(descSyncs, prometheus.CounterValue, float64(o.syncs[true]), "ok")
	ch <- prometheus.MustNewConstMetric(descSyncs, prometheus.CounterValue, float64(o.syncs[false]), "failed")
	o.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descSuppressed, prometheus.CounterValue, float64(o.limit.suppressedTotal()))
	ch <- prometheus.MustNewConstMetric(descPeers, prometheus.GaugeValue, float64(len(c.pn.h.Network().Peers())))
}
