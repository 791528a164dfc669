#!/usr/bin/env bash
# make demo, the main job: build irqlab, boot the QEMU test box on the stock
# Debian 6.12 kernel (with an e1000e and an ivshmem-doorbell device), claim
# both, run `irqlab compare` over every mechanism with device, external and
# ipi triggers, print the tables, and leave results/<timestamp>/ with the
# JSON, CSV and PNG of each comparison.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=lib/testbox-job.sh
. scripts/lib/testbox-job.sh

results=results/$(date -u +%Y%m%dT%H%M%SZ)
status=0
testbox_job demo tests/vm/guest/demo.sh "$results" 600 || status=$?
echo
echo "demo: results in $results/:"
ls -1 "$results" | sed 's/^/  /'
echo "demo: TCG times are emulation times; read the ratios engine/native and the accounting"
exit "$status"
