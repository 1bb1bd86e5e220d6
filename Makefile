# Commons build entry points. `make run` starts the desktop app, `make test`
# runs every check CI runs. Both first make sure Fyne's system packages are
# installed (see scripts/deps.sh).

GO ?= go
ARGS ?=

.PHONY: deps run test build clean

deps:
	@bash scripts/deps.sh

run: deps
	$(GO) run . $(ARGS)

test: deps
	@echo "==> gofmt -l . (every Go file must be gofmt'ed)"
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: these files need gofmt -w:"; echo "$$out"; exit 1; fi
	@echo "==> go vet ./... (static checks)"
	$(GO) vet ./...
	@if [ -d cmd ]; then \
		echo "==> CGO_ENABLED=0 go build ./cmd/... (commands must build without cgo)"; \
		CGO_ENABLED=0 $(GO) build ./cmd/...; \
	else \
		echo "==> no cmd/ directory yet: skipping the CGO_ENABLED=0 build"; \
	fi
	@echo "==> go test -count=1 -timeout 15m ./... (all tests)"
	$(GO) test -count=1 -timeout 15m ./...

build: deps
	@mkdir -p bin
	@echo "==> building the desktop app into bin/commons"
	$(GO) build -o bin/commons .
	@if [ -d cmd/commons-node ]; then \
		echo "==> building bin/commons-node with CGO_ENABLED=0"; \
		CGO_ENABLED=0 $(GO) build -o bin/commons-node ./cmd/commons-node; \
	else \
		echo "==> no cmd/commons-node yet: skipping bin/commons-node"; \
	fi

clean:
	rm -rf bin
