#!/usr/bin/env bash
# Post-link check of the C++ objects in one module build directory:
#  - no .eh_frame (unwind tables the kernel neither uses nor frees),
#  - no static constructors (.init_array/.ctors): the static-initialisation
#    policy is "constant initialisation only" (docs/architecture.md). On
#    KASAN kernels the compiler adds its own prioritised constructor
#    (.init_array.00099, registering globals with KASAN), which the kernel
#    runs with CONFIG_CONSTRUCTORS; that one is allowed,
#  - undefined symbols only from an allowlist: the platform interface, what
#    the compiler itself emits calls to, and symbols other C++ objects define.
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
	# A section named exactly so (no priority suffix): user static init.
	for forbidden in .eh_frame .init_array .ctors .fini_array .dtors; do
		if grep -qF " $forbidden " <<<"$sections"; then
			echo "check-cxx-objects: $obj has a $forbidden section" >&2
			fail=1
		fi
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
	if readelf -SW "$ko" | grep -qE ' \.(ctors|init_array) '; then
		# On KASAN kernels the module's .init_array holds only the
		# compiler's constructors, already checked per object above.
		if ! nm "$ko" | grep -q ' U __asan_register_globals$'; then
			echo "check-cxx-objects: $(basename "$ko") carries static constructors" >&2
			fail=1
		fi
	fi
done
[ "$fail" -eq 0 ] && echo "check-cxx-objects: ${#objects[@]} C++ objects clean ($(basename "$dir"))"
exit "$fail"
