# swr-autopilot — build, test and demo. Needs only Go.
GO        ?= go
GOFLAGS   ?=
PKGS      := ./...
BIN       := bin

# Lambda bootstraps for provided.al2023 on arm64: static, without the legacy
# RPC entry point, stripped.
LAMBDA_BUILD := GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(GOFLAGS) -tags lambda.norpc -trimpath -ldflags="-s -w"
# The Lambda Runtime Interface Emulator, pinned by the tool directive in go.mod.
RIE_PKG      := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie

.PHONY: all build test test-short bench demo vet fmt lint clean
.PHONY: bootstraps bootstrap-sizes rie check-artifacts-dir
.PHONY: build-OnPushFunction build-RetentionSweepFunction build-GrantSyncFunction

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
	@$(MAKE) --no-print-directory bootstrap-sizes

demo:
	$(GO) run ./cmd/swr-autopilot demo

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

# The policy and team directory bundled next to the bootstraps, where Lambda
# unpacks them as /var/task/policy.yaml and /var/task/directory.yaml (the
# paths env.json gives `sam local invoke`). Bundle your own with e.g.
# `POLICY_FILE=ops/policy.yaml sam build`: a path inside the project, or an
# absolute one.
POLICY_FILE    ?= examples/policy.yaml
DIRECTORY_FILE ?= examples/directory.yaml

# `sam build` runs build-<LogicalId> with ARTIFACTS_DIR set (BuildMethod:
# makefile in template.yaml); each writes that function's bootstrap there,
# with the files the function reads.
build-OnPushFunction: check-artifacts-dir
	$(LAMBDA_BUILD) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/onpush
	cp "$(POLICY_FILE)" "$(ARTIFACTS_DIR)/policy.yaml"

build-RetentionSweepFunction: check-artifacts-dir
	$(LAMBDA_BUILD) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/retentionsweep
	cp "$(POLICY_FILE)" "$(ARTIFACTS_DIR)/policy.yaml"

build-GrantSyncFunction: check-artifacts-dir
	$(LAMBDA_BUILD) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/grantsync
	cp "$(DIRECTORY_FILE)" "$(ARTIFACTS_DIR)/directory.yaml"
	cp "$(POLICY_FILE)" "$(ARTIFACTS_DIR)/policy.yaml"

check-artifacts-dir:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: sam build sets it, or run make bootstraps" >&2; exit 1; }

# All three bootstraps as bin/<function>/bootstrap, with their bundled files,
# as sam build would make them.
bootstraps:
	$(MAKE) --no-print-directory build-OnPushFunction ARTIFACTS_DIR="$(CURDIR)/$(BIN)/onpush"
	$(MAKE) --no-print-directory build-RetentionSweepFunction ARTIFACTS_DIR="$(CURDIR)/$(BIN)/retentionsweep"
	$(MAKE) --no-print-directory build-GrantSyncFunction ARTIFACTS_DIR="$(CURDIR)/$(BIN)/grantsync"

# Sizes of the deployed artifacts (linux/arm64, stripped).
bootstrap-sizes: bootstraps
	@echo "bootstrap sizes (linux/arm64, -s -w):"
	@for f in onpush retentionsweep grantsync; do \
		printf '  %-16s %6d KiB\n' $$f $$(( $$(wc -c < $(BIN)/$$f/bootstrap) / 1024 )); \
	done

# bin/aws-lambda-rie, the version go.mod pins (tests find it with `go tool -n`).
rie:
	$(GO) build $(GOFLAGS) -o $(BIN)/aws-lambda-rie $(RIE_PKG)

clean:
	rm -rf $(BIN) report.html
