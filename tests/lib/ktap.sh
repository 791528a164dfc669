# KTAP helpers for the shell-based test tiers. Source it; then call
# ktap_case STATUS NAME [DIAGNOSTIC...] for each case and ktap_end last.
# STATUS is 0 for pass (a shell status), anything else for fail.
#
# A case that took ktap_slow_s seconds or more since the previous one says
# so in a diagnostic line, so a slow tier's log shows where its time went.

ktap_index=0
ktap_failed=0
ktap_slow_s=${KTAP_SLOW_S:-10}
ktap_last_s=$SECONDS

ktap_begin() {
	echo "KTAP version 1"
}

ktap_case() {
	local status=$1 name=$2 took=$((SECONDS - ktap_last_s))
	shift 2
	ktap_last_s=$SECONDS
	[ "$took" -ge "$ktap_slow_s" ] && echo "# $name: $took s"
	ktap_index=$((ktap_index + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $ktap_index $name"
	else
		local line
		# A diagnostic may span lines: each becomes a KTAP comment.
		for line in "$@"; do
			[ -n "$line" ] && printf '%s\n' "$line" | sed 's/^/# /'
		done
		echo "not ok $ktap_index $name"
		ktap_failed=$((ktap_failed + 1))
	fi
}

# ktap_skip NAME REASON: a case that could not run for a reason outside the
# code under test (KTAP's SKIP directive; it counts as passed). Say the
# reason: a skip must never hide a failure of the project's own code.
ktap_skip() {
	ktap_last_s=$SECONDS
	ktap_index=$((ktap_index + 1))
	echo "ok $ktap_index $1 # SKIP $2"
}

# Re-emits the cases of another KTAP document (read from stdin) as cases of
# this one, names prefixed with $1; its diagnostics pass through, its own
# summary line does not. Sets ktap_imported to the number of cases read.
ktap_import() {
	local prefix=${1:-} line name st
	ktap_imported=0
	ktap_import_plan=-1 # the document's own plan ("1..N"), -1 if none came
	while IFS= read -r line; do
		case $line in
		1..[0-9]*) ktap_import_plan=${line#1..} ;;
		"ok "* | "not ok "*)
			name=${line#*ok }  # drop "ok " / "not ok "
			name=${name#* }    # drop the case number
			[[ $line == "not ok"* ]] && st=1 || st=0
			# The document timed its own cases; the wait for it is no case's.
			ktap_last_s=$SECONDS
			ktap_case "$st" "$prefix$name"
			ktap_imported=$((ktap_imported + 1))
			;;
		"# "*" passed, "*" failed"*) ;;
		"#"*) echo "$line" ;;
		"Bail out!"*) echo "# $line" ;;
		esac
	done
}

# The plan comes last (as TAP allows) because cases are counted as they run.
ktap_end() {
	echo "1..$ktap_index"
	echo "# $((ktap_index - ktap_failed)) cases passed, $ktap_failed failed"
	[ "$ktap_failed" -eq 0 ]
}
