# irqlab front door.
#
#   make              build irqlab.ko (for KDIR) and the irqlab CLI
#   make check        install what is missing, then run every test tier
#   make unit         the hosted unit tests, plain (gcc), with the CLI
#   make demo         boot the QEMU test box and show irqlab in it
#   make bench        hosted benchmarks: the engine's paths vs a thread hand-off
#   make bench-compare  the test box's engine/native ratio matrix (6.12)
#   make soak         irqlab torture (SOAK_MINUTES, 60) and the fuzzer on every test-box kernel
#   make matrix       the same compare on every test-box kernel, one cross-kernel report
#   make install      the CLI, its man pages, completions and bpftrace scripts
#                     (PREFIX=/usr/local, DESTDIR=)
#
# KDIR selects the kernel tree (default: the running kernel's headers).
# When the running kernel has no headers (e.g. a container), 'make' builds
# for the test box's two stock Debian kernels instead.
#
# Everything Kbuild needs is in the file Kbuild; this Makefile only drives.

KDIR ?= /lib/modules/$(shell uname -r)/build
IRQLAB_CACHE ?= $(HOME)/.cache/irqlab
export IRQLAB_CACHE

HOST_BUILD := build/host
PREFIX ?= /usr/local

.PHONY: all module testbox-modules cli install check unit demo bench bench-compare soak matrix \
	deps clean help

all: module cli

module:
	@if [ -f "$(KDIR)/include/generated/utsrelease.h" ]; then \
		scripts/build-module.sh "$(KDIR)"; \
	else \
		echo "note: no kernel tree at KDIR=$(KDIR);" \
			"building for the test box kernels instead"; \
		$(MAKE) --no-print-directory testbox-modules; \
	fi

testbox-modules:
	@[ -f "$(IRQLAB_CACHE)/kernels.env" ] || scripts/deps.sh build
	@. "$(IRQLAB_CACHE)/kernels.env" && \
		scripts/build-module.sh "/usr/src/linux-headers-$$KVER_6_1" && \
		scripts/build-module.sh "/usr/src/linux-headers-$$KVER_6_12"

cli:
	cmake -S . -B $(HOST_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(HOST_BUILD) -j $$(nproc)

# The CLI as Debian lays it out: sbin/irqlab, share/man/man8/irqlab*.8,
# share/bash-completion/completions/irqlab, share/zsh/vendor-completions,
# share/irqlab/bpf/*.bt.
install: cli
	DESTDIR="$(DESTDIR)" cmake --install $(HOST_BUILD) --prefix "$(PREFIX)"

check:
	@scripts/check.sh

unit:
	@tests/unit/run.sh $(HOST_BUILD)

demo:
	@scripts/demo.sh

bench:
	@tests/bench/run.sh $(HOST_BUILD)

bench-compare:
	@scripts/bench-compare.sh

# Not in make check: hours are normal. Summary under results/soak-<time>/.
soak:
	@scripts/soak.sh

# Not in make check: a box per kernel. Report under results/matrix-<time>/.
matrix:
	@scripts/matrix.sh

deps:
	scripts/deps.sh check

clean:
	rm -rf build

help:
	@sed -n '3,17p' Makefile | sed 's/^# \{0,1\}//'
