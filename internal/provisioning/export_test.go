package provisioning

// SetTouchedMax sets touchedMax for a test and returns what restores it.
func SetTouchedMax(n int) (restore func()) {
	old := touchedMax
	touchedMax = n
	return func() { touchedMax = old }
}
