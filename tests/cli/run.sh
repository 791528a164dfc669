#!/usr/bin/env bash
# The CLI as installed: make install's tree (DESTDIR), the man pages and
# completions it carries, checked against what `irqlab --help` says of every
# command, and the bash completion driven as bash drives it. Needs no module
# and no root. Prints KTAP.
#
# usage: tests/cli/run.sh BUILD_DIR (a configured and built tree, e.g. build/host)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: tests/cli/run.sh BUILD_DIR}
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

ktap_begin
out=$(DESTDIR=$stage cmake --install "$build" --prefix /usr 2>&1)
ktap_case $? "install_to_destdir" "$out"
cli=$stage/usr/sbin/irqlab
man8=$stage/usr/share/man/man8
bash_completion=$stage/usr/share/bash-completion/completions/irqlab
zsh_completion=$stage/usr/share/zsh/vendor-completions/_irqlab
for f in "$cli" "$man8/irqlab.8" "$bash_completion" "$zsh_completion" \
	"$stage/usr/share/irqlab/bpf/compare.bt"; do
	[ -s "$f" ]
	ktap_case $? "installed_${f#"$stage"/}" "missing or empty"
done
[ -x "$cli" ] && "$cli" -V >/dev/null
ktap_case $? "installed_cli_runs"

# Every page renders without a groff warning.
bad=''
for page in "$man8"/*.8; do
	warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$warn" ] || bad+="${page##*/}: $warn"$'\n'
done
[ -z "$bad" ]
ktap_case $? "man_pages_render_cleanly" "$bad"

# commands PATH...: every (sub)command path that --help lists, depth first.
commands() {
	local path=$1 sub
	echo "$path"
	# shellcheck disable=SC2086 # the path is words
	while read -r sub; do
		commands "${path:+$path }$sub"
	done < <("$cli" $path --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
}
mapfile -t paths < <(commands "")
[ "${#paths[@]}" -gt 20 ]
ktap_case $? "help_lists_commands" "found ${#paths[@]}"

# Each command's options as --help spells them ("-c,--count", "--json"),
# each in its man page and in its completion case.
missing_man='' missing_bash='' missing_zsh=''
for path in "${paths[@]}"; do
	top_command=${path%% *}
	page=$man8/irqlab${top_command:+-$top_command}.8
	# shellcheck disable=SC2086
	help=$("$cli" $path --help)
	# The completion's case for this path: its options line.
	bash_words=$(awk -v p="\t'$path')" '$0 == p { getline; getline; print; exit }' "$bash_completion")
	zsh_words=$(awk -v p="\t'$path')" '$0 == p { getline; getline; print; exit }' "$zsh_completion")
	while read -r spelling; do
		rendered=${spelling//-/\\-}
		grep -qF -- "fB$rendered\\fR" "$page" || missing_man+="$path: $spelling"$'\n'
		grep -qE -- "[=' ]$spelling([ ']|\$)" <<<"$bash_words" || missing_bash+="$path: $spelling"$'\n'
		grep -qE -- "[( ]$spelling([ )]|\$)" <<<"$zsh_words" || missing_zsh+="$path: $spelling"$'\n'
	done < <(sed -n '/^Options:/,/^$/s/^  \(-[^ ]*\).*/\1/p' <<<"$help" | tr ',' '\n')
	# A command's subcommands have sections of their own in its page (the
	# top level's are pages of their own, checked above).
	[ -n "$path" ] || continue
	while read -r sub; do
		grep -qF -- "irqlab $path $sub" <(sed 's/\\-/-/g' "$page") ||
			missing_man+="$path: subcommand $sub"$'\n'
	done < <(sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' <<<"$help")
done
[ -z "$missing_man" ]
ktap_case $? "every_option_and_subcommand_in_the_man_pages" "$missing_man"
[ -z "$missing_bash" ]
ktap_case $? "every_option_in_the_bash_completion" "$missing_bash"
[ -z "$missing_zsh" ]
ktap_case $? "every_option_in_the_zsh_completion" "$missing_zsh"

# The bash completion as bash runs it: COMP_WORDS in, COMPREPLY out.
complete_words() {
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_irqlab
		printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_completion" "$@"
}
got=$(complete_words irqlab eng)
[ "$got" = engine ]
ktap_case $? "bash_completes_a_subcommand" "got '$got'"
got=$(complete_words irqlab engine at)
[ "$got" = attach ]
ktap_case $? "bash_completes_a_nested_subcommand" "got '$got'"
got=$(complete_words irqlab compare --mech)
[ "$got" = --mechanism ]
ktap_case $? "bash_completes_an_option" "got '$got'"
got=$(complete_words irqlab engine attach 0000:00:04.0 --vec)
[ "$got" = --vector ]
ktap_case $? "bash_completes_a_nested_commands_option" "got '$got'"
# claim offers this machine's PCI devices (there is always a host bridge).
got=$(complete_words irqlab claim 0000:00:00)
grep -qx '0000:00:00.0' <<<"$got"
ktap_case $? "bash_completes_claims_pci_addresses" "got '$got'"

ktap_end
