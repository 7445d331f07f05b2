package noexec

import (
	"os"
	"path/filepath"
	"testing"
)

// go test builds this test binary in the go command's temp dir and executes it from there.
func TestTempDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), []byte("ok"), 0o600); err != nil {
		t.Fatal(err)
	}
}
