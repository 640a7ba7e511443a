# reportbot build. `make` builds ./reportbot; see README.md for the rest.
# Sources are found by wildcard: a new .c file in common/ bot/ commands/
# store/ joins the build, tests/unit/test-*.c become cmocka test programs,
# tests/fuzz/fuzz-*.c libFuzzer targets.

CC      ?= cc
CLANG   ?= clang
# pkg-config modules: deps/pkg-config.txt, one per line (# comments).
PKGS     = $(shell sed -e 's/\#.*//' deps/pkg-config.txt)
WARN     = -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -fno-common
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
CPPFLAGS = -D_GNU_SOURCE -I. -Icommon
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS)
SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRCS  = $(sort $(filter-out bot/main.c,$(wildcard common/*.c bot/*.c commands/*.c store/*.c)))
UNIT_SRCS = $(sort $(wildcard tests/unit/test-*.c))
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz-*.c))
TOOL_SRCS = tests/toml-decoder.c

# build/rel: the normal build; build/san: the sanitizer build of everything.
REL_OBJS  = $(LIB_SRCS:%.c=build/rel/%.o)
SAN_OBJS  = $(LIB_SRCS:%.c=build/san/%.o)
REL_UNITS = $(UNIT_SRCS:%.c=build/rel/%)
SAN_UNITS = $(UNIT_SRCS:%.c=build/san/%)
TSAN_OBJS = $(LIB_SRCS:%.c=build/tsan/%.o)
# The threaded parts under ThreadSanitizer: pool + dispatch, history, scheduler,
# the catalog snapshots swapped under readers.
TSAN_UNITS = build/tsan/tests/unit/test-dispatch build/tsan/tests/unit/test-history \
             build/tsan/tests/unit/test-scheduler build/tsan/tests/unit/test-catalog-live
FUZZERS   = $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)

FUZZ_SECONDS ?= 15

.SECONDARY:
layers: reportbot
	@./scripts/check-layers.sh

.PHONY: layers all deps demo test unit unit-san unit-tsan integration fuzz fuzz-build bench clean check-sources
all: reportbot tests/toml-decoder

deps:
	@./scripts/deps.sh deps/build.txt deps/test.txt

reportbot: build/rel/bot/main.o $(REL_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/san/reportbot: build/san/bot/main.o $(SAN_OBJS)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS)

tests/toml-decoder: build/rel/tests/toml-decoder.o $(REL_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -MMD -MP -c -o $@ $<

TSAN = -fsanitize=thread -fno-omit-frame-pointer
build/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TSAN) -MMD -MP -c -o $@ $<

build/tsan/tests/unit/%: build/tsan/tests/unit/%.o $(TSAN_OBJS)
	$(CC) $(CFLAGS) $(TSAN) -o $@ $^ $(PKG_LIBS) -lcmocka

build/rel/tests/unit/%: build/rel/tests/unit/%.o $(REL_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

build/san/tests/unit/%: build/san/tests/unit/%.o $(SAN_OBJS)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) -lcmocka

# libFuzzer targets: the library compiled again by clang with the fuzzer.
FUZZ_CFLAGS = -std=c11 -g -O1 $(CPPFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined
build/fuzz/lib/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS:%.c=build/fuzz/lib/%.o)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

fuzz-build: $(FUZZERS)

# Each fuzzer for FUZZ_SECONDS (make fuzz FUZZ_SECONDS=600 for longer).
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@set -e; n=0; for f in $(FUZZERS); do \
		name=$$(basename $$f); mkdir -p build/fuzz-corpus/$$name; \
		seeds=tests/fuzz/corpus/$$name; [ -d $$seeds ] || seeds=; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=0 \
			build/fuzz-corpus/$$name $$seeds 2>build/fuzz-$$name.log \
			|| { tail -50 build/fuzz-$$name.log; echo "fuzz: $$n passed, 1 failed"; exit 1; }; \
		n=$$((n + 1)); \
	done; echo "fuzz: $$n passed, 0 failed"; \
	[ -z "$$RESULTS" ] || echo "$$n 0" >> "$$RESULTS"

unit: $(REL_UNITS)
	@LABEL=unit ./tests/run-units.sh $(REL_UNITS)

unit-san: $(SAN_UNITS)
	@LABEL=unit-san ./tests/run-units.sh $(SAN_UNITS)

unit-tsan: $(TSAN_UNITS)
	@LABEL=unit-tsan TSAN_OPTIONS=halt_on_error=1 ./tests/run-units.sh $(TSAN_UNITS)

integration: reportbot build/san/reportbot tests/toml-decoder
	@./tests/run-integration.sh

# make test: deps first (so pkg-config finds the libraries), then everything;
# the last line adds up every stage: "test: N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory all
	@rm -f build/test-results; mkdir -p build
	@RESULTS=$$PWD/build/test-results $(MAKE) --no-print-directory layers
	@RESULTS=$$PWD/build/test-results $(MAKE) --no-print-directory unit
	@RESULTS=$$PWD/build/test-results $(MAKE) --no-print-directory unit-san
	@RESULTS=$$PWD/build/test-results $(MAKE) --no-print-directory unit-tsan
	@RESULTS=$$PWD/build/test-results $(MAKE) --no-print-directory integration
	@RESULTS=$$PWD/build/test-results $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
	@awk '{p += $$1; f += $$2} END {print "test: " p " passed, " f " failed"; exit f > 0}' build/test-results

demo: deps
	@$(MAKE) --no-print-directory reportbot
	@./demo/run.sh

bench: deps
	@$(MAKE) --no-print-directory reportbot
	@./bench/run.sh

clean:
	rm -rf build reportbot tests/toml-decoder

-include $(shell find build -name '*.d' 2>/dev/null)
