//go:build prometheus

package main

// TestRealPrometheusScrapesServe runs a real Prometheus (Debian's
// prometheus package; .ci/run installs it) against "supersim serve -demo".
// Run it with:
//
//	go test -tags prometheus -run Prometheus -v ./cmd/supersim/
//
// PROMETHEUS_BIN may name the directory holding prometheus and promtool;
// else they are looked up in PATH. When they cannot run, the test fails:
// it never skips.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// promTool returns the path of the Prometheus program name, failing the
// test when it is not there.
func promTool(t *testing.T, name string) string {
	t.Helper()
	if dir := os.Getenv("PROMETHEUS_BIN"); dir != "" {
		return filepath.Join(dir, name)
	}
	path, err := exec.LookPath(name)
	require.NoError(t, err, "%s is needed (Debian: apt-get install prometheus; .ci/run installs it)", name)
	return path
}

// freePort returns a loopback address whose port was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// promQuery asks Prometheus' HTTP API for the instant vector of query and
// returns each series' labels and value.
func promQuery(t *testing.T, api, query string) []promSample {
	t.Helper()
	resp := get(t, api+"/api/v1/query?query="+url.QueryEscape(query))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var answer struct {
		Status string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	require.Equal(t, "success", answer.Status)
	var out []promSample
	for _, r := range answer.Data.Result {
		v, err := strconv.ParseFloat(r.Value[1].(string), 64)
		require.NoError(t, err)
		out = append(out, promSample{r.Metric, v})
	}
	return out
}

type promSample struct {
	labels map[string]string
	value  float64
}

func TestRealPrometheusScrapesServe(t *testing.T) {
	prometheus, promtool := promTool(t, "prometheus"), promTool(t, "promtool")
	version, err := exec.Command(prometheus, "--version").CombinedOutput()
	require.NoError(t, err, "%s --version: %s", prometheus, version)
	t.Logf("%s", bytes.SplitN(version, []byte("\n"), 2)[0])

	// The command on -demo, on the fixed clock, and the watch's own numbers
	// for the same data.
	s := startServe(t, nil, "-demo")
	fake := newFake(t)
	client, err := fake.Client()
	require.NoError(t, err)
	want := watch(t, client)
	paris := want["paris-trackers"]
	require.NotNil(t, paris)
	require.Positive(t, paris.overAt[80])

	// promtool check metrics on what /metrics serves: no lint problem.
	_, body := scrape(t, s.base)
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	out, err := check.CombinedOutput()
	require.NoError(t, err, "promtool check metrics:\n%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "promtool check metrics")

	// The example alert rules are valid, and pass their unit tests.
	rules, err := filepath.Abs("../../examples/prometheus/alerts.yml")
	require.NoError(t, err)
	out, err = exec.Command(promtool, "check", "rules", rules).CombinedOutput()
	require.NoError(t, err, "promtool check rules:\n%s", out)
	out, err = exec.Command(promtool, "test", "rules", strings.TrimSuffix(rules, ".yml")+"_test.yml").CombinedOutput()
	require.NoError(t, err, "promtool test rules:\n%s", out)

	// A real Prometheus scraping it every second, with the example rules.
	dir := t.TempDir()
	target := strings.TrimPrefix(s.base, "http://")
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: supersim
    static_configs:
      - targets: [%q]
`, rules, target)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644))
	listen := freePort(t)
	log := &syncBuffer{}
	cmd := exec.Command(prometheus, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+listen, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(hangBound):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	api := "http://" + listen

	// Wait for the scrape: until Prometheus has the series (the deadline
	// bounds a hang, not speed).
	bytesQuery := `supersim_fleet_billing_period_data_bytes{fleet_name="paris-trackers"}`
	deadline := time.Now().Add(hangBound)
	var got []promSample
	for {
		select {
		case err := <-exited:
			t.Fatalf("prometheus exited: %v\n%s", err, log.String())
		default:
		}
		if resp, err := http.Get(api + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if got = promQuery(t, api, bytesQuery); len(got) > 0 {
					break
				}
			}
		}
		require.True(t, time.Now().Before(deadline), "no scrape within %s; prometheus' log:\n%s", hangBound, log.String())
		time.Sleep(100 * time.Millisecond)
	}

	require.Len(t, got, 1)
	assert.Equal(t, paris.sid, got[0].labels["fleet_sid"])
	assert.Equal(t, "supersim", got[0].labels["job"])
	assert.Equal(t, float64(paris.usedBytes), got[0].value, "a fleet's bytes, Prometheus against the watch")

	over := promQuery(t, api, `supersim_fleet_sims_over_limit{threshold="80"}`)
	require.Len(t, over, len(want))
	for _, o := range over {
		w := want[o.labels["fleet_name"]]
		require.NotNil(t, w, "fleet %v", o.labels)
		assert.Equal(t, float64(w.overAt[80]), o.value, "SIMs over 80%% in %s, Prometheus against the watch", o.labels["fleet_name"])
	}
	up := promQuery(t, api, `up{job="supersim"}`)
	require.Len(t, up, 1)
	assert.Equal(t, 1.0, up[0].value)

	// The rules loaded and evaluate: the fleets with a blocked SIM have the
	// alert pending (its for: is 15 minutes).
	for {
		alerts := promQuery(t, api, `ALERTS{alertname="SuperSimSIMsBlocked"}`)
		if len(alerts) > 0 {
			names := map[string]bool{}
			for _, a := range alerts {
				assert.Equal(t, "pending", a.labels["alertstate"])
				names[a.labels["fleet_name"]] = true
			}
			for name, w := range want {
				assert.Equal(t, w.overAt[100] > 0, names[name], "SuperSimSIMsBlocked for %s", name)
			}
			break
		}
		require.True(t, time.Now().Before(deadline), "no alert within %s; prometheus' log:\n%s", hangBound, log.String())
		time.Sleep(100 * time.Millisecond)
	}

	assert.Equal(t, exitOK, s.stop())
}
