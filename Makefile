# The two commands a newcomer needs are `make run` and `make test` (see README).
GO ?= go
STATICCHECK = $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run test lint unit browser build conformance bench

build:
	$(GO) build -o bin/provisio ./cmd/provisio

# The demo: seeds an empty directory on first start and prints what to try.
run: build
	./bin/provisio serve --demo

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# The browser test of single sign-on (cmd/provisio/browser_e2e_test.go) needs
# chromium: installed here when missing (apt-get; sudo when not root).
browser:
	scripts/ensure-chromium.sh

unit: browser
	$(GO) test -count=1 ./...

# Third-party suites against a fresh tenant each: Okta's SPEC test (Go, in-process,
# SQLite and PostgreSQL) and Microsoft's Postman collection (newman, via bin/provisio).
conformance:
	$(GO) test -count=1 -run '^TestOktaSPEC$$' ./internal/conformance/
	scripts/conformance-postman.sh

# Load benchmark (minutes; not part of test): see docs/benchmarks.md.
bench:
	bench/run.sh

test: lint unit conformance
