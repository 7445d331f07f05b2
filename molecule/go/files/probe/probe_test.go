package probe

import (
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"
)

// A child process, a temp dir, a localhost lookup and many goroutines: what build-host tests do.
func TestHostBasics(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/f", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/bin/sh", "-c", "echo child").Output(); err != nil || string(out) != "child\n" {
		t.Fatalf("child: %q %v", out, err)
	}
	if addrs, err := net.LookupHost("localhost"); err != nil || len(addrs) == 0 {
		t.Fatalf("localhost lookup: %v %v", addrs, err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); runtime.Gosched() }()
	}
	wg.Wait()
	t.Logf("go %s", runtime.Version())
}
