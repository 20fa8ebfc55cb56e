# The two commands: `make run` and `make test`. Everything they need is
# installed by scripts/install-deps on first use.
SHELL := /bin/bash
RELEASE_DIR := build/release
TEST_DIR := build/test
DB ?= var/stork.db
PORT ?= 8080
JOBS ?= $(shell nproc)

.PHONY: run test deps build build-test web test-unit test-e2e bench clean

run: deps build web
	@if [ ! -f "$(DB)" ]; then \
	  $(RELEASE_DIR)/stork migrate --db sqlite:$(DB) && \
	  $(RELEASE_DIR)/stork seed-demo --db sqlite:$(DB); \
	fi
	$(RELEASE_DIR)/stork serve --db sqlite:$(DB) --port $(PORT) --web-root web/dist

test: deps build-test web
	scripts/with-postgres ctest --test-dir $(TEST_DIR) --output-on-failure -j $(JOBS)
	cd web && STORK_BIN=$(CURDIR)/$(TEST_DIR)/stork npm run --silent e2e

# Re-run the installer when it or the web app's lock file changed.
deps: .deps-stamp
.deps-stamp: scripts/install-deps web/package.json web/package-lock.json
	scripts/install-deps
	touch $@

build: deps
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTORK_TESTS=OFF -DSTORK_BENCH=ON
	cmake --build $(RELEASE_DIR) -j $(JOBS)

build-test: deps
	cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTORK_SANITIZE=ON
	cmake --build $(TEST_DIR) -j $(JOBS)

web: deps
	cd web && npm run --silent build

bench: build
	bench/http-ceiling
	bench/patient-search
	bench/surge
	PG=1 bench/surge

clean:
	rm -rf build web/dist .deps-stamp
