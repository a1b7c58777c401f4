package main

import (
	"os"
	"testing"
)

// asProvisio, set to 1 in a process's environment, makes this package's
// test binary run provisio's main instead of the tests: the crash and
// several-node tests start their serve processes from it (provisioBinary)
// rather than paying a `go build` and link of their own (tens of seconds
// on a loaded machine). TestBinaryServes still builds the real binary.
const asProvisio = "PROVISIO_TEST_AS_PROVISIO"

func TestMain(m *testing.M) {
	if os.Getenv(asProvisio) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// provisioBinary returns the command that runs provisio as a process, and
// the variable its environment needs (see asProvisio).
func provisioBinary(t *testing.T) (bin, env string) {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatalf("test executable: %v", err)
	}
	return bin, asProvisio + "=1"
}
