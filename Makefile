# Thin wrapper around CMake. `make` builds Release into build/; `make test` runs every test
# through ctest; `make demo` runs the pipeline end to end on the embedded dataset;
# `make bench` runs the benchmarks; `make fuzz` builds the libFuzzer targets (clang).
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all build deps test demo bench fuzz clean testdata

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	@scripts/install-deps.sh
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	@scripts/install-deps.sh
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	scripts/demo.sh $(BUILD)/bin

bench: build
	scripts/bench/run.sh $(BUILD)

fuzz:
	@scripts/install-deps.sh --optional
	cmake -S fuzz -B $(BUILD)-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
	cmake --build $(BUILD)-fuzz -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD)-fuzz
