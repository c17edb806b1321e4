# swr-autopilot — build, test and demo. Needs only Go.
GO        ?= go
GOFLAGS   ?=
PKGS      := ./...
BIN       := bin

# Lambda bootstraps for provided.al2023 on arm64: static, without the legacy
# RPC entry point, stripped, and two measured cuts (README, "Benchmarks"):
# - nethttpomithttp2 leaves out net/http's HTTP/2 support (0.44 MiB): the
#   SWR and IAM APIs, SQS, the sinks and the Lambda runtime API all serve
#   HTTP/1.1, which is what the bootstraps then speak;
# - no inlining (-l) but in the runtime and the packages the network path
#   spends its CPU in (sync, crypto, net and net/http's vendored parts), 0.32
#   MiB: the functions wait on SWR, whose rate limit bounds them.
LAMBDA_GCFLAGS := -gcflags=all=-l $(foreach p,runtime internal sync crypto net vendor,-gcflags='$(p)/...=')
LAMBDA_BUILD := GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(GOFLAGS) -tags lambda.norpc,nethttpomithttp2 $(LAMBDA_GCFLAGS) -trimpath -ldflags="-s -w"
# The Lambda Runtime Interface Emulator, pinned by the tool directive of the
# tools module (tools/go.mod), outside the product's go.mod.
RIE_PKG      := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie

.PHONY: all build test test-short bench demo vet fmt lint clean
.PHONY: bootstraps bootstrap-sizes hello-bootstrap rie check-artifacts-dir
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

# The smallest aws-lambda-go function, built the same way: the yardstick
# for the functions' sizes.
hello-bootstrap:
	$(LAMBDA_BUILD) -o "$(BIN)/helloworld/bootstrap" ./internal/helloworld

# Sizes of the deployed artifacts (linux/arm64, stripped) beside the
# hello-world bootstrap, and the largest against the 8 MiB budget.
BOOTSTRAP_BUDGET := 8388608
bootstrap-sizes: bootstraps hello-bootstrap
	@echo "bootstrap sizes (linux/arm64, -s -w, -tags lambda.norpc,nethttpomithttp2, $(LAMBDA_GCFLAGS)):"
	@max=0; for f in onpush retentionsweep grantsync helloworld; do \
		n=$$(wc -c < $(BIN)/$$f/bootstrap); \
		printf '  %-16s %9d bytes  %s MiB\n' $$f $$n $$(awk "BEGIN { printf \"%.2f\", $$n / 1048576 }"); \
		if [ $$f != helloworld ] && [ $$n -gt $$max ]; then max=$$n; fi; \
	done; \
	if [ $$max -gt $(BOOTSTRAP_BUDGET) ]; then verdict="OVER the 8 MiB budget by $$(( ($$max - $(BOOTSTRAP_BUDGET)) / 1024 )) KiB"; \
	else verdict="within the 8 MiB budget"; fi; \
	echo "  largest function bootstrap: $$verdict"

# bin/aws-lambda-rie, the version tools/go.mod pins (tests find it with
# `go tool -n aws-lambda-rie` run in tools/).
rie:
	$(GO) -C tools build $(GOFLAGS) -o "$(CURDIR)/$(BIN)/aws-lambda-rie" $(RIE_PKG)

clean:
	rm -rf $(BIN) report.html
