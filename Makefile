# Commons build entry points. `make run` starts the desktop app, `make test`
# runs every check CI runs. Both first make sure Fyne's system packages are
# installed (see scripts/deps.sh). `make screenshots` regenerates the
# pictures in docs/screenshots from the demo society.

GO ?= go
ARGS ?=
# Where `make screenshots` writes the PNG files.
SCREENSHOT_DIR ?= docs/screenshots

.PHONY: deps run test build clean screenshots

deps:
	@bash scripts/deps.sh

run: deps
	$(GO) run . $(ARGS)

test: deps
	@echo "==> tracked files: no build outputs, nothing over 4 MB but screenshots (internal/repocheck)"
	$(GO) test -count=1 ./internal/repocheck/
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
	@echo "==> go build . (the desktop app, with cgo)"
	$(GO) build -o /dev/null .
	@echo "==> go test -count=1 -timeout 15m ./... (all tests, the app's UI tests included)"
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

# screenshots captures every main screen of the demo society (light and
# dark) into $(SCREENSHOT_DIR): it builds the app and runs it under Xvfb
# with a fresh temporary COMMONS_HOME (and HOME, so that Fyne's settings
# are not the user's), offline and listening on loopback only. Mesa's
# softpipe driver is used because llvmpipe under Xvfb reads windows back
# blank.
screenshots:
	@bash scripts/deps.sh --screenshots
	@mkdir -p bin "$(SCREENSHOT_DIR)"
	@echo "==> building the desktop app into bin/commons"
	$(GO) build -o bin/commons .
	@echo "==> capturing the demo society's screens into $(SCREENSHOT_DIR) (Xvfb, offline, throwaway home)"
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p "$$tmp/config" "$$tmp/data" "$$tmp/cache" "$$tmp/run" && chmod 700 "$$tmp/run" && \
	env HOME="$$tmp" XDG_CONFIG_HOME="$$tmp/config" XDG_DATA_HOME="$$tmp/data" XDG_CACHE_HOME="$$tmp/cache" \
		XDG_RUNTIME_DIR="$$tmp/run" COMMONS_HOME="$$tmp/home" LANGUAGE=en FYNE_SCALE=1 GALLIUM_DRIVER=softpipe \
		xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
		bin/commons --demo --offline --no-mdns --listen /ip4/127.0.0.1/tcp/0 --screenshots "$(SCREENSHOT_DIR)"

clean:
	rm -rf bin
