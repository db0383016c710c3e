package e2e_test

import (
	"path/filepath"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// TestDeployNATSConfig: the JetStream server configuration of the scaled
// layout (deploy/scaled/nats-server.conf) is one the nats-server the tests
// run accepts, with JetStream on file storage flushed at every write, in a
// cluster of three.
func TestDeployNATSConfig(t *testing.T) {
	t.Parallel()
	o, err := natsserver.ProcessConfigFile(filepath.Join(repoRoot, "deploy", "scaled", "nats-server.conf"))
	if err != nil {
		t.Fatalf("the example configuration does not load: %v", err)
	}
	if !o.JetStream || o.StoreDir == "" {
		t.Errorf("JetStream %v with store %q, want it on with a store directory", o.JetStream, o.StoreDir)
	}
	if !o.SyncAlways {
		t.Errorf("sync_interval is %v, not always: a power cut could lose acknowledged batches", o.SyncInterval)
	}
	if o.SyncInterval != 0 && o.SyncInterval < time.Millisecond {
		t.Errorf("sync interval %v", o.SyncInterval)
	}
	if n := len(o.Routes); n != 3 {
		t.Errorf("%d cluster routes, want the three servers'", n)
	}
	if o.Cluster.Name == "" {
		t.Error("the cluster has no name")
	}
}
