package main

import (
	"fmt"
	"strconv"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/pflag"
)

// rateFlags are job configure's --rate and --concurrency.
type rateFlags struct {
	rate        float64
	concurrency int
}

func (r *rateFlags) register(fl *pflag.FlagSet) {
	fl.Float64Var(&r.rate, "rate", 0, "most requests per second to the application (0: unlimited)")
	fl.IntVar(&r.concurrency, "concurrency", 0, "ceiling of the requests in flight to the application (0: the default, 256); the engine adapts below it")
}

// apply sets the flags given on req.
func (r *rateFlags) apply(fl *pflag.FlagSet, req *apitypes.ConfigureJob) {
	if fl.Changed("rate") {
		req.RateLimit = &r.rate
	}
	if fl.Changed("concurrency") {
		req.MaxConcurrency = &r.concurrency
	}
}

// rateText is a rate limit for people: "50/s", or "unlimited" for 0.
func rateText(r float64) string {
	if r == 0 {
		return "unlimited"
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + "/s"
}

// concurrencyText is a job's concurrency setting; 0 is the default.
func concurrencyText(n int) string {
	if n == 0 {
		return "256 (default)"
	}
	return strconv.Itoa(n)
}

// throttleLine is job status's THROTTLE row, e.g. "rate 12/s of 50/s,
// concurrency 4 of 16 (throttled 3 times)".
func throttleLine(t *apitypes.Throttle) string {
	r := rateText(t.Rate)
	if t.Rate != 0 {
		r = strconv.FormatFloat(t.Rate, 'f', 0, 64) + "/s"
	}
	return fmt.Sprintf("rate %s of %s, concurrency %d of %d (throttled %d times, limits halved %d times)",
		r, rateText(t.MaxRate), t.Concurrency, t.MaxConcurrency, t.Throttled, t.Decreases)
}
