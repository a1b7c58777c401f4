package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// rssSampler records the peak resident memory (VmRSS) of a process,
// sampled from /proc/<pid>/status at a fixed interval.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done sync.WaitGroup

	mu      sync.Mutex
	peakKiB int64
	err     error
}

func startRSSSampler(pid int, every time.Duration) (*rssSampler, error) {
	s := &rssSampler{pid: pid, stop: make(chan struct{})}
	if err := s.sample(); err != nil {
		return nil, err
	}
	s.done.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if err := s.sample(); err != nil {
					s.mu.Lock()
					s.err = err
					s.mu.Unlock()
					return
				}
			}
		}
	})
	return s, nil
}

func (s *rssSampler) sample() error {
	kib, err := readVmRSS(s.pid)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.peakKiB = max(s.peakKiB, kib)
	s.mu.Unlock()
	return nil
}

// Stop ends sampling and returns the peak in bytes, or the error that
// ended sampling early (the process exited, for example).
func (s *rssSampler) Stop() (int64, error) {
	close(s.stop)
	s.done.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakKiB * 1024, s.err
}

// readVmRSS returns the VmRSS line of /proc/<pid>/status, in KiB.
func readVmRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	return parseVmRSS(data)
}

func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, fmt.Errorf("parse rss: unexpected line %q", sc.Text())
		}
		return strconv.ParseInt(string(fields[0]), 10, 64)
	}
	return 0, fmt.Errorf("parse rss: no VmRSS line")
}
