# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small Go module go_probe copies into a fresh directory and builds with each SDK. Modules cannot ship
data files, so its files are string constants here, indented with spaces (the Go compiler accepts them).
``FILES`` maps a relative path to its text; ``NOMOD_MAIN`` is the one file of the directory outside any module
used for probe.modules_required."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

GO_MOD = r'''module gocompat.invalid/probe

go 1.21
'''

PROBE_PROCS_PROCS_TEST_GO = r'''// Package procs checks what go test needs from the process side of a host.
package procs

import (
    "os"
    "os/exec"
    "runtime"
    "sync"
    "testing"
)

const childEnv = "GOCOMPAT_PROBE_CHILD"

func TestMain(m *testing.M) {
    if os.Getenv(childEnv) == "1" {
        os.Stdout.WriteString("child ok\n")
        os.Exit(0)
    }
    os.Exit(m.Run())
}

// The test binary runs from the go command's temp dir and execs itself: a noexec temp dir, a seccomp
// filter that blocks clone3 or execve, or a tiny pids.max shows here.
func TestExecChild(t *testing.T) {
    self, err := os.Executable()
    if err != nil {
        t.Fatalf("os.Executable: %v", err)
    }
    var wg sync.WaitGroup
    errs := make(chan error, 8)
    for i := 0; i < 8; i++ {
        wg.Add(1)
        go func() {
            defer wg.Done()
            cmd := exec.Command(self, "-test.run=^$")
            cmd.Env = append(os.Environ(), childEnv+"=1")
            out, err := cmd.CombinedOutput()
            if err != nil {
                errs <- err
                return
            }
            if string(out) != "child ok\n" {
                t.Errorf("child printed %q", out)
            }
        }()
    }
    wg.Wait()
    close(errs)
    for err := range errs {
        t.Fatalf("exec of the test binary failed: %v", err)
    }
}

// Many goroutines, some locked to their own OS thread: thread creation hits pids.max and RLIMIT_NPROC.
func TestManyGoroutines(t *testing.T) {
    var wg sync.WaitGroup
    var mu sync.Mutex
    total := 0
    for i := 0; i < 10000; i++ {
        wg.Add(1)
        go func(n int) {
            defer wg.Done()
            mu.Lock()
            total += n
            mu.Unlock()
        }(1)
    }
    release := make(chan struct{})
    var locked sync.WaitGroup
    for i := 0; i < 64; i++ {
        locked.Add(1)
        go func() {
            runtime.LockOSThread()
            locked.Done()
            <-release
            runtime.UnlockOSThread()
        }()
    }
    locked.Wait()
    close(release)
    wg.Wait()
    if total != 10000 {
        t.Fatalf("counted %d goroutines, want 10000", total)
    }
}
'''

PROBE_NETFS_NETFS_TEST_GO = r'''// Package netfs checks temp dirs, localhost and open files.
package netfs

import (
    "fmt"
    "net"
    "os"
    "path/filepath"
    "testing"
)

func TestTempDirs(t *testing.T) {
    dir, err := os.MkdirTemp("", "gocompat-probe-")
    if err != nil {
        t.Fatalf("os.MkdirTemp: %v", err)
    }
    defer os.RemoveAll(dir)
    own := t.TempDir()
    for _, d := range []string{dir, own} {
        path := filepath.Join(d, "f")
        if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
            t.Fatalf("write in %s: %v", d, err)
        }
        if data, err := os.ReadFile(path); err != nil || string(data) != "x" {
            t.Fatalf("read back in %s: %q %v", d, data, err)
        }
    }
}

func TestLocalhost(t *testing.T) {
    addrs, err := net.LookupHost("localhost")
    if err != nil {
        t.Fatalf("resolve localhost: %v", err)
    }
    loopback := false
    for _, a := range addrs {
        if ip := net.ParseIP(a); ip != nil && ip.IsLoopback() {
            loopback = true
        }
    }
    if !loopback {
        t.Fatalf("localhost resolves to %v, no loopback address", addrs)
    }
    ln, err := net.Listen("tcp", "127.0.0.1:0")
    if err != nil {
        t.Fatalf("listen on 127.0.0.1: %v", err)
    }
    defer ln.Close()
    go func() {
        if c, err := ln.Accept(); err == nil {
            c.Write([]byte("ok"))
            c.Close()
        }
    }()
    c, err := net.Dial("tcp", ln.Addr().String())
    if err != nil {
        t.Fatalf("dial %s: %v", ln.Addr(), err)
    }
    defer c.Close()
    buf := make([]byte, 2)
    if _, err := c.Read(buf); err != nil || string(buf) != "ok" {
        t.Fatalf("read from loopback: %q %v", buf, err)
    }
}

func TestManyOpenFiles(t *testing.T) {
    dir := t.TempDir()
    var files []*os.File
    defer func() {
        for _, f := range files {
            f.Close()
        }
    }()
    for i := 0; i < 900; i++ {
        f, err := os.Create(filepath.Join(dir, fmt.Sprintf("f%d", i)))
        if err != nil {
            t.Fatalf("open file %d: %v", i, err)
        }
        files = append(files, f)
    }
}
'''

CMD_PROBE_MAIN_GO = r'''// Command probe is built natively and for linux/arm64 by go_probe.
package main

import (
    "fmt"
    "runtime"
)

func main() {
    fmt.Println(runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
'''

CGONEEDED_CGO_GO = r'''// Package cgoneeded needs cgo: built with CGO_ENABLED=0 it must fail with excluded files.
package cgoneeded

// int answer(void) { return 42; }
import "C"

// Answer comes from C.
func Answer() int { return int(C.answer()) }
'''

NOMOD_MAIN = r'''package main

func main() {}
'''

FILES = {
    'go.mod': GO_MOD,
    'probe/procs/procs_test.go': PROBE_PROCS_PROCS_TEST_GO,
    'probe/netfs/netfs_test.go': PROBE_NETFS_NETFS_TEST_GO,
    'cmd/probe/main.go': CMD_PROBE_MAIN_GO,
    'cgoneeded/cgo.go': CGONEEDED_CGO_GO,
}

# What the checks build and run, relative to the module's directory.
RACE_PACKAGES = './probe/...'
MAIN_PACKAGE = './cmd/probe'
CGO_PACKAGE = './cgoneeded'
