package web

import (
	"bytes"
	"io"
	"net/http"

	"github.com/provisio-dev/provisio/internal/apiclient"
)

// inProcessBase is the base URL of the in-process API client: requests
// never leave the process (handlerTransport), so the host is a label.
const inProcessBase = "http://provisio.in-process"

// client is an admin API client whose requests are served by Config.API
// in this process; the request context must carry the actor (withActor).
func (u *UI) client() *apiclient.Client {
	return apiclient.New(inProcessBase, "", apiclient.Options{Transport: HandlerTransport(u.cfg.API)})
}

// HandlerTransport is an http.RoundTripper that serves each request with
// h in this process (no network) and answers with what h wrote.
func HandlerTransport(h http.Handler) http.RoundTripper { return handlerTransport{h} }

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}}
	t.h.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{Status: http.StatusText(rec.status), StatusCode: rec.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.header, Body: io.NopCloser(&rec.body), ContentLength: int64(rec.body.Len()), Request: r}, nil
}

// recorder is the http.ResponseWriter of an in-process request.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }
func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}
