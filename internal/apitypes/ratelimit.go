package apitypes

// Throttle is the state of a job's rate limit and concurrency, which
// adapt down when the application throttles (429, 503) and back up on
// success. Rate and MaxRate are requests per second, 0 unlimited.
type Throttle struct {
	Rate           float64 `json:"rate"`
	MaxRate        float64 `json:"maxRate"`
	Concurrency    int     `json:"concurrency"`
	MaxConcurrency int     `json:"maxConcurrency"`
	Throttled      int64   `json:"throttled"` // 429 and 503 answers since the server started
	Decreases      int64   `json:"decreases"` // times they halved the limits
}
