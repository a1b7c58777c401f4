package adminapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/dirsvc"
)

// TestImportOutlastsReadTimeout: a CSV import that takes longer than the
// server's ReadTimeout, each batch's rows arriving within it, completes
// (a million rows take minutes; the timeout is two by default).
func TestImportOutlastsReadTimeout(t *testing.T) {
	const readTimeout = 2 * time.Second
	const batches = 6 // a pause of readTimeout/3 after each: twice the timeout in all
	f := newServicesFixtureRead(t, 0, 0, readTimeout)
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprintln(pw, "userPrincipalName")
		for b := range batches {
			for i := range dirsvc.DefaultImportBatch {
				fmt.Fprintf(pw, "u%d-%d@x.io\n", b, i)
			}
			time.Sleep(readTimeout / 3)
		}
		pw.Close()
	}()
	req, err := http.NewRequest("POST", f.srv.URL+"/api/v1/imports/users", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.admin)
	req.Header.Set("Content-Type", "text/csv")
	start := time.Now()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	defer resp.Body.Close()
	var res struct{ Imported, Failed int }
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &res)
	if took := time.Since(start); resp.StatusCode != http.StatusOK || res.Imported != batches*dirsvc.DefaultImportBatch || took < readTimeout {
		t.Fatalf("import of %d rows over %v (read timeout %v) = %d %s, want 200 and all imported",
			batches*dirsvc.DefaultImportBatch, took, readTimeout, resp.StatusCode, raw)
	}
}
