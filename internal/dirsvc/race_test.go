//go:build race

package dirsvc_test

// raceEnabled: the race detector slows the import ~10x, so throughput is
// not asserted under it.
const raceEnabled = true
