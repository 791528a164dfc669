#!/usr/bin/env bash
# The style tier: the C glue passes the kernel's checkpatch.pl --strict
# (taken from Debian's linux-source-6.12), the C++ matches .clang-format.
# One KTAP case per file.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=../lib/ktap.sh
. tests/lib/ktap.sh

cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
source_tar=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
checkpatch_dir=$cache/checkpatch
ktap_begin

# checkpatch.pl reads spelling.txt and const_structs.checkpatch from its
# own directory; take the three files out of the source tarball once.
if [ ! -x "$checkpatch_dir/checkpatch.pl" ] && [ -n "$source_tar" ]; then
	mkdir -p "$checkpatch_dir"
	tar -xf "$source_tar" -C "$checkpatch_dir" --strip-components=2 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
[ -x "$checkpatch_dir/checkpatch.pl" ]
ktap_case $? "checkpatch_available" "no linux-source-6.12 tarball in /usr/src (scripts/deps.sh installs it)"

# Kernel-style C: the glue, the KUnit glue, and the headers they share
# with the C++ side.
# The tracepoint header is written like include/trace/events/*.h, whose
# TRACE_EVENT() layout checkpatch does not parse.
kernel_style=$(git ls-files 'module/*.c' 'module/*.h' 'include/irqlab/*.h' \
	'tests/kunit/*.c' 'tests/cases/*_abi.h' | grep -vx 'module/irqlab_trace.h')
# include/irqlab/schema.h is X-macro lists, which checkpatch cannot parse;
# the headers that expand them into struct members look to it like
# statements among declarations.
declare -A relaxed=(
	[include/irqlab/schema.h]=COMPLEX_MACRO,MACRO_ARG_REUSE,MACRO_ARG_UNUSED,TRAILING_SEMICOLON,MULTISTATEMENT_MACRO_USE_DO_WHILE,MACRO_ARG_PRECEDENCE
	[include/irqlab/uapi.h]=LINE_SPACING
	[include/irqlab/core.h]=LINE_SPACING
)
for f in $kernel_style; do
	out=$("$checkpatch_dir/checkpatch.pl" --strict --no-tree --show-types \
		${relaxed[$f]:+--ignore "${relaxed[$f]}"} -f "$f" 2>&1)
	grep -q '^total: 0 errors, 0 warnings, 0 checks' <<<"$out"
	ktap_case $? "checkpatch_strict $f" "$(grep -E '^(ERROR|WARNING|CHECK|#)' <<<"$out")"
done

# The BPF programs are kernel-style C too; libbpf's read-only settings
# must be 'const volatile', which checkpatch would flag.
for f in $(git ls-files 'bpf/*.c' 'bpf/*.h'); do
	out=$("$checkpatch_dir/checkpatch.pl" --strict --no-tree --show-types --ignore VOLATILE \
		-f "$f" 2>&1)
	grep -q '^total: 0 errors, 0 warnings, 0 checks' <<<"$out"
	ktap_case $? "checkpatch_strict $f" "$(grep -E '^(ERROR|WARNING|CHECK|#)' <<<"$out")"
done

for f in $(git ls-files '*.cpp' '*.h' | grep -vxF "$kernel_style" | grep -v '^module/' |
	grep -v '^bpf/'); do
	out=$(clang-format --dry-run --Werror "$f" 2>&1)
	ktap_case $? "clang_format $f" "$(head -n 20 <<<"$out")"
done
ktap_end
