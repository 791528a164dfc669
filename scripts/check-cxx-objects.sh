#!/usr/bin/env bash
# Post-link check of the C++ objects in one module build directory:
#  - no .eh_frame (unwind tables the kernel neither uses nor frees),
#  - no static constructors (.init_array/.ctors): the static-initialisation
#    policy is "constant initialisation only" (docs/architecture.md). On
#    KASAN kernels the compiler adds one constructor and one destructor per
#    object (registering its globals with KASAN), as it does for C; exactly
#    that one entry each is allowed there, so a static initialiser of ours
#    still shows up as a second entry,
#  - undefined symbols only from an allowlist: the platform interface, what
#    the compiler itself emits calls to, and symbols other C++ objects define,
#  - no instruction listed twice in the module's patch-site tables: when two
#    objects carry the same inline function (a COMDAT group) and the linker
#    keeps one copy, both objects' objtool records point at it, and the
#    kernel patches the site twice (6.1: "missing return thunk" WARN at
#    load). An inline function emitted out of line in several objects, for
#    example a virtual one without a key function, must get one home.
# Anything else means kernel API used from C++ without glue, a libstdc++ or
# libatomic dependency, or a plain operator new without allocation context.
set -euo pipefail

dir=${1:?usage: check-cxx-objects.sh MODULE_BUILD_DIR}
# The C++ objects: the runtime and engine, their copies in the test module
# (kunit/), and the shared test cases.
mapfile -t objects < <(cd "$dir" && find cxxrt core kunit/cxxrt kunit/core tests/cases \
	-name '*.o' 2>/dev/null | sort)
if [ ${#objects[@]} -eq 0 ]; then
	echo "check-cxx-objects: no C++ objects under $dir" >&2
	exit 1
fi

allowed='^(irqlab_plat_[a-z_]+|__fentry__|__stack_chk_fail|__ref_stack_chk_guard|mem(cpy|set|move|cmp)|__x86_indirect_thunk_[a-z0-9]+|__x86_indirect_call_thunk_[a-z0-9]+|__x86_return_thunk|__asan_[a-z0-9_]+|__kasan_[a-z0-9_]+|__sanitizer_cov_[a-z0-9_]+)$'

defined=$(cd "$dir" && nm --defined-only "${objects[@]}" | awk 'NF == 3 { print $3 }' | sort -u)
fail=0
for obj in "${objects[@]}"; do
	sections=$(readelf -SW "$dir/$obj")
	symbols=$(nm "$dir/$obj")
	kasan_entries=0
	grep -qE ' U __asan_register_globals$' <<<"$symbols" && kasan_entries=1
	for forbidden in .eh_frame .ctors .dtors .init_array .fini_array; do
		# Entries are 8 bytes; readelf -W prints the size in hex, column 6.
		size=$(awk -v name="$forbidden" '$2 == name { print $6 }' \
			<<<"$(sed 's/^ *\[ *[0-9]*\]//' <<<"$sections")")
		[ -z "$size" ] && continue
		case $forbidden in
		.init_array | .fini_array)
			[ $((16#$size)) -le $((8 * kasan_entries)) ] && continue ;;
		esac
		echo "check-cxx-objects: $obj has a $forbidden section (size 0x$size)" >&2
		fail=1
	done
	while read -r sym; do
		[ -z "$sym" ] && continue
		grep -qxF "$sym" <<<"$defined" && continue
		grep -qE "$allowed" <<<"$sym" && continue
		echo "check-cxx-objects: $obj needs '$sym' ($(c++filt "$sym")), not on the allowlist" >&2
		fail=1
	done < <(nm --undefined-only "$dir/$obj" | awk '{ print $2 }')
done
for ko in "$dir"/*.ko; do
	ko_sections=$(readelf -SW "$ko")
	ko_symbols=$(nm "$ko")
	# On KASAN kernels the module's .init_array holds the compiler's
	# constructors only, checked object by object above.
	if grep -qE ' \.(ctors|init_array) ' <<<"$ko_sections" &&
		! grep -qE ' U __asan_register_globals$' <<<"$ko_symbols"; then
		echo "check-cxx-objects: $(basename "$ko") carries static constructors" >&2
		fail=1
	fi
	for table in .return_sites .retpoline_sites .call_sites .ibt_endbr_seal \
		.static_call_sites; do
		# A table the kernel does not use is absent: nothing listed.
		# An entry is one site, except in .static_call_sites: a site and
		# its static call's key (8 bytes), and keys repeat by design (two
		# cond_resched() calls), so only the sites are compared there.
		pairs=0
		[ "$table" = .static_call_sites ] && pairs=1
		twice=$({ objdump -r -j "$table" "$ko" 2>/dev/null || true; } |
			awk -v pairs=$pairs 'NR > 5 && NF >= 3 && (!pairs || $1 ~ /[08]$/) { print $3 }' |
			sort | uniq -d)
		[ -z "$twice" ] && continue
		echo "check-cxx-objects: $(basename "$ko"): sites listed twice in $table:" \
			$twice >&2
		fail=1
	done
done
[ "$fail" -eq 0 ] && echo "check-cxx-objects: ${#objects[@]} C++ objects clean ($(basename "$dir"))"
exit "$fail"
