package e2e_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// A test that kills the NATS server runs it as a process of its own: this
// test binary, started again with these variables, runs an embedded
// nats-server with JetStream on file storage in the directory, on the port.
const (
	brokerDirEnv  = "E2E_BROKER_DIR"
	brokerPortEnv = "E2E_BROKER_PORT"
)

// runBroker runs the NATS server until the process is killed.
func runBroker(dir, port string) int {
	p, err := strconv.Atoi(port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "broker: port:", err)
		return 1
	}
	s, err := natsserver.NewServer(&natsserver.Options{ServerName: "e2e", Host: "127.0.0.1", Port: p, JetStream: true, StoreDir: dir, NoSigs: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "broker:", err)
		return 1
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		fmt.Fprintln(os.Stderr, "broker: not ready in 20s")
		return 1
	}
	fmt.Println("broker ready")
	s.WaitForShutdown()
	return 0
}

// broker is a running NATS server process.
type broker struct {
	t      testing.TB
	dir    string
	port   int
	URL    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// freePort returns a TCP port free at the time of the call.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startBroker runs a NATS server with its JetStream store in dir, on port,
// and waits until it takes connections. It is killed when the test ends.
func startBroker(t testing.TB, dir string, port int) *broker {
	t.Helper()
	b := &broker{t: t, dir: dir, port: port, URL: fmt.Sprintf("nats://127.0.0.1:%d", port)}
	b.start()
	return b
}

func (b *broker) start() {
	b.t.Helper()
	self, err := os.Executable()
	if err != nil {
		b.t.Fatal(err)
	}
	logf, err := os.OpenFile(filepath.Join(filepath.Dir(b.dir), "broker.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		b.t.Fatal(err)
	}
	defer logf.Close()
	before, _ := os.ReadFile(logf.Name())
	readies := strings.Count(string(before), "broker ready")
	cmd := exec.Command(self)
	cmd.Env = append(cleanEnv(), brokerDirEnv+"="+b.dir, brokerPortEnv+"="+strconv.Itoa(b.port))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		b.t.Fatalf("start broker: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	b.cmd, b.exited = cmd, exited
	b.t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})
	for end := time.Now().Add(30 * time.Second); ; {
		if log, _ := os.ReadFile(logf.Name()); strings.Count(string(log), "broker ready") > readies {
			if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", b.port), time.Second); err == nil {
				c.Close()
				return
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logf.Name())
			b.t.Fatalf("broker exited before it was ready:\n%s", log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(end) {
			b.t.Fatal("broker not ready in 30s")
		}
	}
}

// kill sends SIGKILL and waits for the process to end.
func (b *broker) kill() {
	b.t.Helper()
	b.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.t.Fatal("broker still runs 10s after SIGKILL")
	}
}

// restart starts the broker again on the same directory and port.
func (b *broker) restart() { b.start() }
