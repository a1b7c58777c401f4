//go:build !race

package dirsvc_test

const raceEnabled = false
