# swr-autopilot — build, test and demo. Needs only Go.
GO        ?= go
GOFLAGS   ?=
PKGS      := ./...
BIN       := bin

.PHONY: all build test test-short bench demo vet fmt lint clean

all: build

build:
	$(GO) build $(GOFLAGS) $(PKGS)

test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

demo:
	$(GO) run ./cmd/swr-autopilot demo

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN) report.html
