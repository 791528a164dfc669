# shellcheck shell=sh
# Guest half of the host-side interrupt injector (run.sh's inject_agent is
# the other half). Source it from a guest scenario, then:
#
#   inject_request ID VECTOR[,VECTOR...] COUNT RATE
#       ask the host to write the ivshmem-doorbell eventfd of VECTOR COUNT
#       times at RATE Hz (0: back to back); with several vectors, each tick
#       writes every one in turn; returns at once
#   inject_stop ID
#       ask the host to end request ID's injection now (a duration-bound
#       step asks for more than it can need and stops it when done); the
#       answer then ends in " stopped=1" and counts the writes made
#   inject_wait ID TIMEOUT_S
#       wait for the answer; prints the number of writes the host made
#       (sent) on stdout, or fails with a message on stderr on error/timeout
#
# ID names the request: 1-64 of [A-Za-z0-9_-]; reusing one replaces its old
# answer. The fired vector reaches the guest only once a driver has enabled
# MSI-X on the ivshmem device (1af4:1110) and requested that vector.
# Several host writes may coalesce into one interrupt (the eventfd is a
# counter QEMU reads and clears), so delivered <= sent. The full answer line
# stays in $IRQLAB_OUT/inject/ID.done for scenarios that want more: the
# host's timing (elapsed_us; max_late_us, its worst write against the
# schedule) and unread, the writes that found the previous one not yet read
# by QEMU (merged on the host side, so never more than sent - unread
# interrupts were raised).
#
# Files (in $IRQLAB_OUT/inject, the --out dir of run.sh on the host):
#   ID.request  "vector=V count=N rate=R" (the agent renames it ID.taken)
#   ID.stop     empty; the agent removes it when the injection ends
#   ID.done     "sent=N requested=N peer=P vector=V rate=R elapsed_us=T
#               max_late_us=L unread=U[ stopped=1]" or "error=MESSAGE"
# Both are renamed into place complete, so a reader never sees half a file.

# Sets _inj_dir, or fails outside the test box. Helpers here avoid command
# substitutions and needless commands: every fork+exec costs tens of ms
# under TCG, and inject_request's cost delays the first injection.
inject_dir_() {
	if [ -z "${IRQLAB_OUT:-}" ] || [ ! -d "$IRQLAB_OUT" ]; then
		echo "inject: \$IRQLAB_OUT is not set or not a directory (not in the test box?)" >&2
		return 1
	fi
	_inj_dir=$IRQLAB_OUT/inject
}

# inject_id_ok_ ID: the agent drops requests with other names unanswered,
# so catch them here.
inject_id_ok_() {
	case $1 in
	'' | *[!A-Za-z0-9_-]*) ;;
	*) [ ${#1} -le 64 ] && return 0 ;;
	esac
	echo "inject: bad id '$1' (want 1-64 of A-Za-z0-9_-)" >&2
	return 1
}

inject_uint_ok_() {
	case $2 in
	'' | *[!0-9]*)
		echo "inject: $1 must be a non-negative integer, got '$2'" >&2
		return 1
		;;
	esac
}

# VECTOR[,VECTOR...]
inject_vectors_ok_() {
	case $1 in
	'' | ,* | *, | *,,* | *[!0-9,]*)
		echo "inject: VECTOR must be N or N,N,..., got '$1'" >&2
		return 1
		;;
	esac
}

# inject_request ID VECTOR[,VECTOR...] COUNT RATE
inject_request() {
	if [ $# -ne 4 ]; then
		echo "usage: inject_request ID VECTOR[,VECTOR...] COUNT RATE" >&2
		return 2
	fi
	inject_id_ok_ "$1" && inject_vectors_ok_ "$2" &&
		inject_uint_ok_ COUNT "$3" && inject_uint_ok_ RATE "$4" || return 2
	inject_dir_ || return 1
	[ -d "$_inj_dir" ] || mkdir -p "$_inj_dir" || return 1
	# A stale answer from an earlier use of this id would end the wait at
	# once. The temp name ends in neither .request nor .done, so the agent
	# ignores it until the rename.
	[ ! -e "$_inj_dir/$1.done" ] || rm -f "$_inj_dir/$1.done" || return 1
	# Nor may a stop meant for that earlier use end this one at once.
	[ ! -e "$_inj_dir/$1.stop" ] || rm -f "$_inj_dir/$1.stop" || return 1
	_inj_tmp=$_inj_dir/.$1.request.$$
	if ! printf 'vector=%s count=%s rate=%s\n' "$2" "$3" "$4" >"$_inj_tmp" ||
		! mv -f "$_inj_tmp" "$_inj_dir/$1.request"; then
		rm -f "$_inj_tmp"
		echo "inject: cannot write request $1 in $_inj_dir" >&2
		return 1
	fi
}

# inject_stop ID
inject_stop() {
	if [ $# -ne 1 ]; then
		echo "usage: inject_stop ID" >&2
		return 2
	fi
	inject_id_ok_ "$1" || return 2
	inject_dir_ || return 1
	if ! : >"$_inj_dir/$1.stop"; then
		echo "inject: cannot write $_inj_dir/$1.stop" >&2
		return 1
	fi
}

# Sets _inj_now to centiseconds since boot: a sub-second clock that dash
# and busybox sh lack, read without forking (polling under TCG is slow
# enough already).
inject_now_cs_() {
	read -r _inj_up _ </proc/uptime
	_inj_f=${_inj_up#*.}
	_inj_now=$((${_inj_up%.*} * 100 + ${_inj_f#0}))
}

# inject_wait ID TIMEOUT_S
inject_wait() {
	if [ $# -ne 2 ]; then
		echo "usage: inject_wait ID TIMEOUT_S" >&2
		return 2
	fi
	inject_id_ok_ "$1" && inject_uint_ok_ TIMEOUT_S "$2" || return 2
	inject_dir_ || return 1
	inject_now_cs_
	_inj_end=$((_inj_now + $2 * 100))
	# The 9p share is uncached, so each test asks the host afresh. The
	# sleep is short, but its exec makes one round take ~90 ms under TCG.
	while [ ! -f "$_inj_dir/$1.done" ]; do
		inject_now_cs_
		if [ "$_inj_now" -ge "$_inj_end" ]; then
			if [ -e "$_inj_dir/$1.request" ]; then
				echo "inject: $1: no answer after $2 s; the request was never picked up (is run.sh's agent running?)" >&2
			else
				echo "inject: $1: no answer after $2 s; the host is still injecting or failed to answer" >&2
			fi
			return 1
		fi
		sleep 0.02
	done
	_inj_line=
	IFS= read -r _inj_line <"$_inj_dir/$1.done" || [ -n "$_inj_line" ] || {
		echo "inject: $1: empty answer" >&2
		return 1
	}
	case $_inj_line in
	sent=*)
		_inj_sent=${_inj_line#sent=}
		_inj_sent=${_inj_sent%% *}
		inject_uint_ok_ sent "$_inj_sent" || return 1
		echo "$_inj_sent"
		;;
	error=*)
		echo "inject: $1: host says: ${_inj_line#error=}" >&2
		return 1
		;;
	*)
		echo "inject: $1: malformed answer: $_inj_line" >&2
		return 1
		;;
	esac
}
