# Sourced by guest scenarios: the kernel's own bug reports as test cases.
# sanitizers_begin clears the log and kmemleak's list; sanitizers_end scans
# for leaks (on kernels with kmemleak) and fails on any report in the log:
# WARN, BUG (including KASAN and "sleeping function called from invalid
# context"), lockdep, UBSAN, DEBUG_OBJECTS (ODEBUG), objtool, return thunks.

kmemleak=/sys/kernel/debug/kmemleak
# What a report in the kernel log starts with (not, e.g., the boot line
# "RCU lockdep checking is enabled").
sanitizer_splats='WARNING:|BUG:|Oops|Call Trace|objtool|Unpatched return thunk|UBSAN|KASAN|ODEBUG|possible recursive locking|circular locking|sleeping function called|kmemleak: .* new suspected'

sanitizers_begin() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	dmesg -C
	# Earlier allocations (boot, the test box) are not this scenario's.
	[ -w "$kmemleak" ] && echo clear >"$kmemleak"
	return 0
}

sanitizers_end() {
	if [ -w "$kmemleak" ]; then
		# Two scans: an object must look unreferenced twice to be reported.
		echo scan >"$kmemleak"
		echo scan >"$kmemleak"
		local leaks
		leaks=$(cat "$kmemleak")
		[ -z "$leaks" ]
		ktap_case $? "kmemleak_clean" "$(head -n 40 <<<"$leaks")"
	fi
	local bad
	bad=$(dmesg | grep -E "$sanitizer_splats")
	[ -z "$bad" ]
	ktap_case $? "kernel_log_clean" "$(head -n 40 <<<"$bad")"
}
