# voltpool: two commands on a fresh Debian 12 machine (as root): `make run` and `make test`.
BUILD   ?= build
SHARED  ?= $(abspath ../shared)
DATA    := $(SHARED)/data
JOBS    ?= 2
OUT     ?= out/week

# The embedded default for `make run`: one week of JPL workplace sessions replayed on German day-ahead prices,
# with California's marginal-emissions signal, the fleet charged price-greedy (compared with uncontrolled).
RUN_ARGS ?= simulate \
  --sessions $(DATA)/ev_sessions/acn_caltech_jpl/acn_jpl_2019-05-01_2019-08-31.csv \
  --prices $(DATA)/prices/smard_de_eu_2023_2024/Gro_handelspreise_202301010000_202501010000_Stunde.csv \
  --zone DE-LU --carbon $(DATA)/carbon/caiso_sce_moer_2019 \
  --from 2024-06-03 --days 7 --strategy price-greedy --vehicle polestar-3 --out $(OUT)

.PHONY: all deps configure build run demo test bench clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DVOLTPOOL_SHARED_DIR=$(SHARED)

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The simulated week (report at out/week/report.html), then the live service demo (scripts/demo.sh, about 65 s).
run: build
	$(BUILD)/voltpool $(RUN_ARGS)
	scripts/demo.sh $(BUILD) $(DATA) out/demo

demo: build
	scripts/demo.sh $(BUILD) $(DATA) out/demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/voltpool_bench

clean:
	rm -rf $(BUILD) out
