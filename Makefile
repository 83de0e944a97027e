# sekimori — one entry point for set-up, build, test, demo, bench and fuzz.
#   make          build build/sekimori
#   make test     install what is missing, build with ASan+UBSan, run every test
#   make demo     install what is missing, build, run the main job on examples/
#   make bench    optimised build, run the benchmarks
#   make fuzz     clang build, run every fuzz target briefly (FUZZ_SECONDS each)
SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
SANITIZE ?= address;undefined
FUZZ_SECONDS ?= 30
# The clang build of the fuzz targets. Not $(BUILD)/fuzz: that is where the test build
# puts its own fuzz/ subdirectory (the corpus replay tests).
FUZZ_BUILD ?= $(BUILD)/libfuzzer
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DSEKIMORI_WERROR=ON
endif
# The sanitizer build the tests run: -O1 and line tables only compile in half the time
# of -O2 -g and still give symbolised sanitizer reports.
TEST_OPT_FLAGS ?= -O1 -g1 -DNDEBUG
# ccache, when installed (scripts/install-deps installs it), makes rebuilds of a fresh
# clone cheap; paths are made relative to the clone so clones share the cache.
ifneq ($(shell command -v ccache 2>/dev/null),)
  CMAKE_FLAGS += -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR := $(CURDIR)
  export CCACHE_NOHASHDIR := true
endif

.PHONY: all deps configure build test demo bench fuzz clean format

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(TEST_OPT_FLAGS)" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$(TEST_OPT_FLAGS)" \
	  -DSEKIMORI_DEV=ON "-DSEKIMORI_SANITIZE=$(SANITIZE)" $(CMAKE_FLAGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	@scripts/install-deps --test || echo "make test: chromium not installed; the HTML screenshot test will skip" >&2
	@scripts/install-test-tools $(BUILD)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)/sekimori

bench: deps
	cmake -S . -B $(BUILD)/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSEKIMORI_DEV=ON
	cmake --build $(BUILD)/release -j $(JOBS)
	@scripts/bench $(BUILD)/release

fuzz:
	@scripts/install-deps --fuzz
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSEKIMORI_DEV=ON -DSEKIMORI_FUZZ=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	@scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
