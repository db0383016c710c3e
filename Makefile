# The two commands a new machine needs:
#   make run    build Foyer and run it on SQLite with a demo workspace
#   make test   install what the tests need, then run every test

GO      ?= go
BIN     := bin/foyer
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/foyerhq/foyer.Version=$(VERSION)
LISTEN  ?= localhost:8080

.PHONY: run build test test-short lint generate bench clean

run: build
	./$(BIN) serve --demo --listen $(LISTEN)

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/foyer

test:
	scripts/test-setup
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

test-short:
	$(GO) test -count=1 -short ./...

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

generate:
	$(GO) generate ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

clean:
	rm -rf bin
