#!/usr/bin/env bash
# Run one script inside the QEMU test box and exit with its status.
#
# The guest sees the host's root read-only (9p + tmpfs overlay) at the same
# paths and starts the script in the caller's working directory, so a
# script can insmod what the host just built. Devices for MSI-X work: e1000e
# (5 vectors; no host networking, its packets go to an unbound socket) and
# ivshmem-doorbell (served by our own ivshmem-server, whose control socket
# lets a host-side injector fire guest vectors).
#
# Host-side injection on request: while the guest runs, an agent watches the
# out share for inject/ID.request files and answers each with inject/ID.done
# after firing the vector with ivshmem-inject (see inject_agent below;
# tests/vm/guest/inject.sh is the guest's half).
#
# Exit status: the script's own (0-255); 124 on timeout or stall; 125 when the box
# failed (guest crash or panic, QEMU error, setup failure); 2 on usage errors.
set -euo pipefail

usage() {
	cat <<EOF
usage: ${0##*/} --kernel KVER --script PATH [options] [-- SCRIPT_ARGS...]
  --kernel KVER     cached Debian kernel (scripts/kernels.sh), e.g. 6.1.0-56-amd64,
                    or a short name from kernels.env (6.1, 6.12)
  --script PATH     host path of the script to run as root in the guest
  --timeout SECS    wall-clock limit for boot + script + poweroff (120)
  --stall SECS      also stop the box when the script has printed nothing
                    for SECS (default: no such limit); a loaded host makes
                    a scenario slower, not silent, so a large --timeout
                    and a --stall sized for the slowest step hold there
  --out DIR         writable share, /mnt/out in the guest (\$IRQLAB_OUT);
                    default: a temp dir, removed on success, kept on failure
  --log FILE        full kernel console log (default: OUT/console.log)
  --smp N           guest CPUs (2)
  --mem MB          guest memory (1024)
  --ivshmem-vectors V
                    MSI-X vectors of the ivshmem-doorbell, 1-1024 (4)
  --append PARAMS   extra kernel command line parameters
  --qemu-arg ARG    extra QEMU argument, repeatable (one argv word each)
  --accel MODE      auto (default; \$IRQLAB_ACCEL sets another): KVM where
                    /dev/kvm works, else TCG, saying why; kvm: KVM or an
                    error; tcg: software emulation
  --tcg-single      all vCPUs on one host thread (for scenarios that patch
                    kernel code at run time: tracepoints, BPF); under TCG only
  --igb             also an igb NIC (82576): runs the newer QEMU that
                    scripts/qemu.sh unpacks into the cache
The script's stdout and stderr are streamed to this script's stdout; the
runner's own messages go to stderr. IRQLAB_COUNT_DIVISOR (1) reaches the
script's environment: make check's boxes fire a fraction of the full
counts (tests/vm/guest/common.sh, scaled).
EOF
}

die() { echo "run.sh: $*" >&2; exit 125; }
usage_error() { echo "run.sh: $*" >&2; usage >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}

# Both sides of the doorbell must agree: the server hands out one eventfd
# per vector and QEMU rejects a peer with more eventfds than vectors, so
# one variable sets both.
kver='' script='' timeout_s=120 stall_s=0 out='' log='' smp=2 mem=1024 append='' tcg_single=0
igb=0 accel_mode=${IRQLAB_ACCEL:-auto}
ivshmem_vectors=4
qemu_extra=() script_args=()
need_arg() { [ $# -ge 2 ] || usage_error "$1 needs an argument"; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$@"; kver=$2; shift 2 ;;
	--script) need_arg "$@"; script=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--stall) need_arg "$@"; stall_s=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	--log) need_arg "$@"; log=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--ivshmem-vectors) need_arg "$@"; ivshmem_vectors=$2; shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--qemu-arg) need_arg "$@"; qemu_extra+=("$2"); shift 2 ;;
	--accel) need_arg "$@"; accel_mode=$2; shift 2 ;;
	--tcg-single) tcg_single=1; shift ;;
	--igb) igb=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; script_args=("$@"); break ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ -n "$kver" ] || usage_error "--kernel is required"
[ -n "$script" ] || usage_error "--script is required"
for n in "$timeout_s" "$smp" "$mem" "$ivshmem_vectors"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || usage_error "not a positive integer: $n"
done
[[ $stall_s =~ ^[0-9]+$ ]] || usage_error "--stall: not a number: $stall_s"
[[ ${IRQLAB_COUNT_DIVISOR:-1} =~ ^[1-9][0-9]*$ ]] ||
	usage_error "IRQLAB_COUNT_DIVISOR: not a positive integer: $IRQLAB_COUNT_DIVISOR"
case $accel_mode in
auto | kvm | tcg) ;;
*) usage_error "--accel: auto, kvm or tcg, not '$accel_mode'" ;;
esac
# ivshmem-server's own bound (MAX_VECTORS); MSI-X itself allows 2048.
[ "$ivshmem_vectors" -le 1024 ] || usage_error "--ivshmem-vectors: at most 1024"
# Short names (6.1, 6.12) map through the KVER_* lines of kernels.env.
if [ ! -d "$cache/kernels/$kver" ] && [ -f "$cache/kernels.env" ]; then
	alias_var=KVER_${kver//./_}
	alias_val=$(sed -n "s/^$alias_var=//p" "$cache/kernels.env")
	kver=${alias_val:-$kver}
fi
kdir=$cache/kernels/$kver
[ -f "$kdir/vmlinuz" ] || die "kernel $kver not in $cache/kernels (run scripts/kernels.sh)"
script=$(realpath -e -- "$script") || die "no such script: $script"

# Single-quote for the guest's POSIX shell: ' becomes '\''.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
# QEMU's option parser splits on commas; a literal comma is written twice.
qesc() { printf '%s' "${1//,/,,}"; }

# --- state for cleanup ------------------------------------------------------
tmp='' out_is_tmp='' qemu_pid='' agent_pid='' cat_pid='' server_pid='' watchdog_pid=''
status=125

# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
	# Stop QEMU first so it does not report a vanished ivshmem server.
	local pid
	for pid in "$watchdog_pid" "$qemu_pid" "$agent_pid" "$cat_pid" "$server_pid"; do
		[ -n "$pid" ] || continue
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[ -z "$tmp" ] || rm -rf "$tmp"
	if [ -n "$out_is_tmp" ]; then
		# A temp out dir is kept when it holds the console log of a failure.
		if [ "$status" -eq 0 ] || [ -z "$(ls -A "$out")" ]; then
			rm -rf "$out"
		else
			echo "run.sh: output kept in $out" >&2
		fi
	fi
}
# shellcheck disable=SC2317 # invoked from traps
on_signal() {
	echo "run.sh: interrupted by SIG$1 (kernel $kver)" >&2
	status=$2
	exit "$2"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

tmp=$(mktemp -d "${TMPDIR:-/tmp}/irqlab-vm.XXXXXX")
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/irqlab-vm-out.XXXXXX")
	out_is_tmp=1
fi
mkdir -p "$out"
out=$(realpath -e -- "$out")
log=${log:-$out/console.log}
mkdir -p "$(dirname "$log")"

# --- build (cached) ---------------------------------------------------------
# Cache keys are content hashes, so an edit to a source rebuilds exactly
# once and parallel runs of different revisions do not fight.
mkdir -p "$cache/bin" "$cache/initramfs"
server_src=$here/ivshmem-server.c
server=$cache/bin/ivshmem-server-$(sha256sum <"$server_src" | cut -c1-16)
injector_src=$here/ivshmem-inject.c
injector=$cache/bin/ivshmem-inject-$(sha256sum <"$injector_src" | cut -c1-16)
initrd=$cache/initramfs/$kver-$(cat "$here/init" "$here/mkinitramfs.sh" | sha256sum | cut -c1-16).cpio.gz
(
	flock 9
	if [ ! -x "$server" ]; then
		cc -O2 -Wall -Wextra -Werror -o "$server.tmp" "$server_src" ||
			exit 1
		mv -f "$server.tmp" "$server" || exit 1
	fi
	if [ ! -x "$injector" ]; then
		cc -O2 -Wall -Wextra -Werror -o "$injector.tmp" "$injector_src" ||
			exit 1
		mv -f "$injector.tmp" "$injector" || exit 1
	fi
	if [ ! -s "$initrd" ]; then
		"$here/mkinitramfs.sh" "$kver" "$initrd" || exit 1
		# Older builds for this kernel are dead weight now.
		find "$cache/initramfs" -name "$kver-*.cpio.gz" ! -path "$initrd" -delete
	fi
) 9>"$cache/.vm-build.lock" || die "build failed"

# --- job description for the guest's init -----------------------------------
mkdir "$tmp/ctl"
{
	echo "IRQLAB_SCRIPT=$(shq "$script")"
	echo "IRQLAB_CWD=$(shq "$PWD")"
	echo "IRQLAB_KMODDIR=$(shq "$kdir/root/lib/modules/$kver")"
	echo "IRQLAB_COUNT_DIVISOR=$(shq "${IRQLAB_COUNT_DIVISOR:-1}")"
	printf 'set --'
	for a in ${script_args[@]+"${script_args[@]}"}; do
		printf ' %s' "$(shq "$a")"
	done
	echo
} >"$tmp/ctl/job"

# --- ivshmem server -----------------------------------------------------------
# The server says "listening" by writing a line to fd 3; if it dies first,
# the read sees EOF instead of hanging. The control socket stays in $tmp
# for the lifetime of the run (see ivshmem-server.c for its protocol).
mkfifo "$tmp/ivshmem.ready"
"$server" -F -v -S "$tmp/ivshmem.sock" -c "$tmp/ivshmem.ctl" -l 1M \
	-n "$ivshmem_vectors" -r 3 3>"$tmp/ivshmem.ready" </dev/null \
	2>"$tmp/ivshmem.log" &
server_pid=$!
if ! read -r _ <"$tmp/ivshmem.ready"; then
	cat "$tmp/ivshmem.log" >&2
	die "ivshmem-server did not start"
fi

# --- injection agent --------------------------------------------------------
# The guest asks for interrupts from outside through the out share, which
# needs no extra QEMU device and no guest-side driver for a channel:
#   guest: writes inject/ID.request = "vector=V count=N rate=R" under a
#          temp name and renames it into place (never seen half-written);
#   agent: claims it by renaming it to ID.taken (so it runs once), runs
#          ivshmem-inject, and renames a finished ID.done into place:
#          "sent=N requested=N peer=P vector=V rate=R elapsed_us=T
#          max_late_us=L unread=U" or "error=MESSAGE" (fields: see
#          ivshmem-inject.c).
# The guest may end an injection early by creating ID.stop: the agent
# stops the injector, which reports the writes it made, and the answer
# gains " stopped=1" (a duration-bound run asks for more than it needs and
# stops it when done, so a slow guest never runs out of interrupts and a
# fast one never finds the next step disturbed). The agent logs each
# request and answer on stderr (run.err in a tier).
# Requests run one at a time, in glob order. The share is mounted without
# 9p caching (init: no cache= option, so cache=none), so each side sees the
# other's renames on its next look. The guest is not trusted to be sane
# (this runs as the invoking user, often root): only regular files are read,
# only plain ids and numbers pass, and the answer goes through mktemp so a
# planted symlink cannot redirect the write.
# child_running PID: the agent's child has not exited yet (a zombie, which
# `kill -0` still finds, has). Builtins only: it runs every 20 ms.
child_running() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

inject_agent() {
	local dir=$out/inject child='' nap req id taken line res t rc v stopped
	local -a vectors vector_args
	set +e # a bad request must not kill the agent; each step is checked
	# TERM comes from run.sh: stop a running injection too (it reports what
	# it sent on its stdout, but nobody is left to read it).
	trap '[ -z "$child" ] || { kill "$child"; wait "$child"; }; exit 0' TERM
	# `read -t` on a FIFO that never gets data is a sleep without a fork
	# per poll, and a trapped TERM cuts it short.
	mkfifo "$tmp/agent.nap" && exec {nap}<>"$tmp/agent.nap" || exit 1
	while :; do
		for req in "$dir"/*.request; do
			[ -e "$req" ] || continue # the glob matched nothing
			id=${req##*/}
			id=${id%.request}
			if ! [[ $id =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
				echo "run.sh: inject: ignoring request with a bad id: ${req##*/}" >&2
				rm -f -- "$req"
				continue
			fi
			taken=$dir/$id.taken
			if ! mv -fT -- "$req" "$taken"; then
				# Dropped, or it would be retried on every poll.
				echo "run.sh: inject $id: cannot claim the request; dropped" >&2
				rm -f -- "$req"
				continue
			fi
			line=''
			if [ -L "$taken" ] || [ ! -f "$taken" ]; then
				res="error=not a regular file"
			elif ! { IFS= read -r line || [ -n "$line" ]; } <"$taken"; then
				res="error=empty request"
			elif ! [[ $line =~ ^vector=([0-9]+(,[0-9]+)*)\ count=([0-9]+)\ rate=([0-9]+)$ ]]; then
				res="error=malformed request, want \"vector=V[,V...] count=N rate=R\": ${line:0:100}"
			else
				vector_args=()
				IFS=, read -r -a vectors <<<"${BASH_REMATCH[1]}"
				for v in "${vectors[@]}"; do
					vector_args+=(-v "$v")
				done
				echo "run.sh: inject $id: ${line//vector=/vectors=} (+$((SECONDS - start)) s)" >&2
				"$injector" -c "$tmp/ivshmem.ctl" "${vector_args[@]}" \
					-n "${BASH_REMATCH[3]}" -r "${BASH_REMATCH[4]}" \
					>"$tmp/inject.out" 2>"$tmp/inject.err" </dev/null &
				child=$!
				stopped=''
				# The guest may end the injection early (inject_stop);
				# the injector then reports what it sent so far.
				while child_running "$child"; do
					if [ -z "$stopped" ] && [ -e "$dir/$id.stop" ]; then
						kill -TERM "$child" 2>/dev/null
						stopped=' stopped=1'
					fi
					read -r -t 0.02 -u "$nap" _
				done
				wait "$child"
				rc=$?
				child=''
				rm -f -- "$dir/$id.stop"
				res=$(<"$tmp/inject.out")
				if [ "$rc" -eq 0 ] || { [ -n "$stopped" ] && [[ $res == sent=* ]]; }; then
					res+=$stopped
				else
					res=error=$(tr '\n' ' ' <"$tmp/inject.err" | cut -c1-300)
					res=${res% }
					[ "$res" != error= ] || res="error=ivshmem-inject exited with status $rc"
				fi
			fi
			echo "run.sh: inject $id: answered (+$((SECONDS - start)) s): $res" >&2
			t=''
			if ! t=$(mktemp "$dir/.done.XXXXXX") ||
				! printf '%s\n' "$res" >"$t" ||
				! mv -fT -- "$t" "$dir/$id.done"; then
				echo "run.sh: inject $id: cannot write $dir/$id.done" >&2
				[ -z "$t" ] || rm -f -- "$t"
			fi
		done
		read -r -t 0.02 -u "$nap" _
	done
}

# --- QEMU ---------------------------------------------------------------------
# ttyS0 is the kernel console (the log); ttyS1 carries only the script's
# output, through a FIFO pair that QEMU's pipe chardev opens itself.
mkfifo "$tmp/script.in" "$tmp/script.out"
# A copy of the output tells the stall watchdog whether the script moves.
tee "$tmp/script.log" <"$tmp/script.out" &
cat_pid=$!

# loglevel=5 keeps WARN/BUG/Call Trace (KERN_WARNING and up) on the
# console but drops the boot chatter. panic=-1 turns a panic into a reboot,
# which -no-reboot turns into a QEMU exit instead of a hang until timeout.
# tsc=reliable: the clocksource watchdog finds TCG's TSC skewed and
# switches clocksources at run time, live-patching sched_clock's static
# key; under multi-threaded TCG that patching oopses now and then ("int3",
# "exc_debug_kernel"), with nothing of irqlab's involved.
cmdline="console=ttyS0 loglevel=5 panic=-1 tsc=reliable${append:+ $append}"
# Live code patching (static keys, text_poke_bp) races with a vCPU running
# the patched code under multi-threaded TCG; --tcg-single runs both vCPUs
# on one host thread, where QEMU handles code modification exactly.
tcg=tcg
[ "$tcg_single" = 1 ] && tcg=tcg,thread=single

# The igb box runs the newer QEMU from the cache; its loadable modules and
# firmware are its own, the seabios BIOS the system's.
qemu_bin=qemu-system-x86_64
if [ "$igb" = 1 ]; then
	qemu_dir=$("$here/../../scripts/qemu.sh") || die "no QEMU with an igb model"
	qemu_bin=$qemu_dir/bin/qemu-system-x86_64
	export QEMU_MODULE_DIR=$qemu_dir/modules
	# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
	qemu_extra=(-L "$qemu_dir/share" -L /usr/share/seabios
		-netdev "dgram,id=igb,local.type=unix,local.path=$tmp/igb.sock,remote.type=unix,remote.path=$tmp/nowhere.sock"
		-device igb,netdev=igb ${qemu_extra[@]+"${qemu_extra[@]}"})
fi

# KVM: a real guest, whose interrupts the host's hardware and KVM deliver;
# TCG: software emulation, every latency an emulator's (docs/measuring.md).
# kvm_problem prints why KVM cannot run a box here, nothing when it can.
# The trial creates the box's machine and vCPU model, not an empty
# machine: a nested KVM (a cloud VM's /dev/kvm) may open fine and yet
# refuse the host CPU model's MSRs (QEMU 7.2 on an AMD EPYC guest: "failed
# to set MSR 0x10a", IA32_ARCH_CAPABILITIES, then an assertion).
kvm_problem() {
	local err line
	[ -e /dev/kvm ] || { echo "no /dev/kvm"; return; }
	{ [ -r /dev/kvm ] && [ -w /dev/kvm ]; } ||
		{ echo "/dev/kvm is not readable and writable by $(id -un)"; return; }
	err=$(echo quit | timeout 60 "$qemu_bin" -accel kvm -machine q35 -cpu host -nodefaults \
		-display none -S -monitor stdio 2>&1 >/dev/null) && return
	# QEMU's first error says why; the assertion that may follow does not.
	line=$(grep -m 1 'error' <<<"$err")
	echo "QEMU: ${line:-$(tail -n 1 <<<"${err:-no answer in 60 s}")}"
}
case $accel_mode in
tcg) accel=$tcg why="--accel tcg" ;;
*)
	why=$(kvm_problem)
	if [ -z "$why" ]; then
		accel=kvm why="/dev/kvm works"
	elif [ "$accel_mode" = kvm ]; then
		die "--accel kvm: KVM cannot run the box: $why"
	else
		accel=$tcg why="KVM not usable: $why"
	fi
	;;
esac
cpu=max
[ "$accel" = kvm ] && cpu=host
echo "run.sh: accelerator ${accel%%,*} ($why)" >&2

p9=security_model=none,multidevs=remap
# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
qemu=(
	"$qemu_bin" -machine q35 -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
	-nodefaults -display none -no-reboot -no-user-config
	-kernel "$kdir/vmlinuz" -initrd "$initrd" -append "$cmdline"
	-chardev "file,id=console,path=$(qesc "$log")" -serial chardev:console
	-chardev "pipe,id=script,path=$(qesc "$tmp/script")" -serial chardev:script
	-fsdev "local,id=hostroot,path=/,readonly=on,$p9"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=ctl,path=$(qesc "$tmp/ctl"),$p9"
	-device virtio-9p-pci,fsdev=ctl,mount_tag=ctl
	-fsdev "local,id=out,path=$(qesc "$out"),$p9"
	-device virtio-9p-pci,fsdev=out,mount_tag=out
	# A datagram socket aimed at a path nobody binds: the NIC has a peer
	# (so QEMU does not warn) and its frames go nowhere.
	-netdev "dgram,id=nic,local.type=unix,local.path=$tmp/nic.sock,remote.type=unix,remote.path=$tmp/nowhere.sock"
	-device e1000e,netdev=nic
	-chardev "socket,id=ivshmem,path=$tmp/ivshmem.sock"
	-device "ivshmem-doorbell,chardev=ivshmem,vectors=$ivshmem_vectors"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	${qemu_extra[@]+"${qemu_extra[@]}"}
)

# shellcheck disable=SC2317 # run in the background below
stall_watchdog() {
	local size last=-1 quiet=0
	while sleep 5; do
		size=$(stat -c %s "$tmp/script.log" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size quiet=0
			continue
		fi
		quiet=$((quiet + 5))
		if [ "$quiet" -ge "$stall_s" ]; then
			: >"$tmp/stalled"
			kill "$qemu_pid" 2>/dev/null
			return
		fi
	done
}

start=$SECONDS
# timeout(1) runs in the background so that `wait` stays interruptible and
# the traps above can stop it (it forwards TERM to QEMU).
timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null >/dev/null 2>"$tmp/qemu.err" &
qemu_pid=$!
# Started after QEMU so that it never runs without a guest to serve; the
# guest cannot ask before it has booted anyway.
inject_agent &
agent_pid=$!
if [ "$stall_s" -gt 0 ]; then
	stall_watchdog &
	watchdog_pid=$!
fi
qemu_status=0
wait "$qemu_pid" || qemu_status=$?
qemu_pid=
if [ -n "$watchdog_pid" ]; then
	kill "$watchdog_pid" 2>/dev/null || true
	wait "$watchdog_pid" 2>/dev/null || true
	watchdog_pid=
fi
# No guest, no more requests; an injection still running is cut short.
kill "$agent_pid" 2>/dev/null || true
wait "$agent_pid" 2>/dev/null || true
agent_pid=
# If QEMU never opened the FIFO, cat still blocks in open(): briefly
# becoming a writer ourselves lets it reach EOF either way.
: <>"$tmp/script.out"
wait "$cat_pid" || true # drains what the script wrote last
cat_pid=
elapsed=$((SECONDS - start))

# QEMU's own complaints matter, except the one timeout(1) provokes.
grep -v 'terminating on signal' "$tmp/qemu.err" >&2 || true

bad=$(grep -saE 'WARNING:|BUG:|Oops|Call Trace|Kernel panic|general protection|RIP:' "$log" || true)
if [ -n "$bad" ]; then
	echo "run.sh: the kernel console has WARN/BUG lines (full log: $log):" >&2
	head -n 20 <<<"$bad" | sed 's/^/  /' >&2
fi

# timeout(1) says 124, or 137 when QEMU ignored TERM and needed KILL.
if [ -e "$tmp/stalled" ]; then
	echo "run.sh: STALLED: the script printed nothing for $stall_s s;" \
		"stopped after $elapsed s (kernel $kver)" >&2
	echo "run.sh: its last line: $(tail -n 1 "$tmp/script.log" 2>/dev/null)" >&2
	echo "run.sh: console log: $log" >&2
	status=124
elif [ "$qemu_status" -eq 124 ] ||
	{ [ "$qemu_status" -eq 137 ] && [ "$elapsed" -ge "$timeout_s" ]; }; then
	echo "run.sh: TIMEOUT after $timeout_s s (kernel $kver)" >&2
	echo "run.sh: console log: $log" >&2
	status=124
elif [[ $(cat "$tmp/ctl/status" 2>/dev/null) =~ ^[0-9]+$ ]]; then
	status=$(<"$tmp/ctl/status")
	if [ "$status" -ne 0 ]; then
		echo "run.sh: script exited with status $status after $elapsed s (kernel $kver)" >&2
	fi
else
	# No status: the script never finished. isa-debug-exit alone cannot
	# tell "script said 0" (exit 1) from a QEMU error (also exit 1).
	if [ -s "$tmp/ctl/init-error" ]; then
		echo "run.sh: guest init failed: $(<"$tmp/ctl/init-error")" >&2
	elif [ ! -s "$log" ]; then
		echo "run.sh: QEMU exited with status $qemu_status before the guest" \
			"printed anything (kernel $kver)" >&2
	else
		echo "run.sh: QEMU exited with status $qemu_status and no script status:" \
			"guest crash, panic or QEMU failure (kernel $kver)" >&2
	fi
	[ ! -s "$log" ] || echo "run.sh: console log: $log" >&2
	status=125
fi
exit "$status"
