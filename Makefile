# The two commands a new machine needs:
#   make run    build Foyer and run it on SQLite with a demo workspace
#               (more flags for foyer serve: make run ARGS="--trusted-proxy 127.0.0.1/32")
#   make test   install what the tests need, then run every test

GO      ?= go
BIN     := bin/foyer
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/foyerhq/foyer.Version=$(VERSION)
LISTEN  ?= 127.0.0.1:8080
IPDATA  := foyer-data/ipdata
ARGS    ?=

STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build ipdata test test-short lint fmtcheck generate bench clean

run: build ipdata
	./$(BIN) serve --demo --listen $(LISTEN) --ipdata $(IPDATA) $(ARGS)

# The open IP data: fetched when missing (scripts/fetch-ipdata, npm), and
# compiled again when a source is newer than the table or the table is not
# one this build reads.
ipdata: build
	scripts/fetch-ipdata $(IPDATA)
	@if [ ! -f $(IPDATA)/foyer-ipdata.bin ] \
		|| [ -n "$$(find $(IPDATA)/src $(IPDATA)/companies.csv -newer $(IPDATA)/foyer-ipdata.bin 2>/dev/null)" ] \
		|| ! ./$(BIN) ipdata info --ipdata $(IPDATA) >/dev/null 2>&1; then \
		./$(BIN) ipdata import --ipdata $(IPDATA); \
	fi

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/foyer

# The whole suite, as CI runs it: formatting, vet and staticcheck first,
# then every test on SQLite and PostgreSQL; nothing is skipped.
test: fmtcheck
	scripts/test-setup
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(GO) test -count=1 -timeout 30m ./...

# The quick half: no browser or end-to-end runs that -short skips, and the
# PostgreSQL half only when a server answers.
test-short:
	$(GO) test -count=1 -short ./...

lint: fmtcheck
	$(GO) vet ./...
	$(STATICCHECK) ./...

# Fails, naming them, when Go files are not gofmt'ed.
fmtcheck:
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './foyer-data/*')); \
	if [ -n "$$files" ]; then echo "gofmt -l: these files need gofmt -w:"; echo "$$files"; exit 1; fi

generate:
	$(GO) generate ./...

bench: ipdata
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

clean:
	rm -rf bin
