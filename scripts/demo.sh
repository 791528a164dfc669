#!/usr/bin/env bash
# make demo, the main job: build irqlab, boot the QEMU test box on the stock
# Debian 6.12 kernel (with an e1000e and an ivshmem-doorbell device), claim
# both, run `irqlab compare` over every mechanism with device, external and
# ipi triggers, and print one screen: the engine/native ratio matrix and
# each comparison's accounting. results/<timestamp>/ keeps each
# comparison's full table, JSON, CSV and PNG, and the summary.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=lib/testbox-job.sh
. scripts/lib/testbox-job.sh

results=results/$(date -u +%Y%m%dT%H%M%SZ)
status=0
testbox_job demo tests/vm/guest/demo.sh "$results" 600 || status=$?
echo
echo "demo: full tables (NAME.txt), JSON, CSV and PNG of each comparison in $results/"
echo "demo: TCG times are emulation times; read the ratios engine/native and the accounting"
exit "$status"
