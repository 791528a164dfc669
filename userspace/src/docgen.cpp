#include "docgen.h"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace irqlab::cli::docgen {

namespace {

// CLI11 hides a subcommand whose group is empty ('irqlab generate').
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<const CLI::Option*> flags_and_options(const CLI::App& app) {
    return app.get_options([](const CLI::Option* opt) { return opt->nonpositional(); });
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
    return app.get_options([](const CLI::Option* opt) { return !opt->nonpositional(); });
}

// Every spelling of an option: "-h", "--help".
std::vector<std::string> spellings(const CLI::Option& opt) {
    std::vector<std::string> names;
    for (const std::string& s : opt.get_snames())
        names.push_back("-" + s);
    for (const std::string& l : opt.get_lnames())
        names.push_back("--" + l);
    return names;
}

// A command's options that take a PCI address, and whether a positional does.
bool takes_device_option(const CLI::Option& opt) {
    const auto& l = opt.get_lnames();
    return std::find(l.begin(), l.end(), "device") != l.end();
}

bool takes_bdf_positional(const CLI::App& app) {
    for (const CLI::Option* opt : positionals(app))
        if (opt->get_name(true) == "bdf")
            return true;
    return false;
}

// --- roff ---------------------------------------------------------------

// Text safe in a roff line: backslashes escaped, hyphens kept literal, and
// no line starting with a control character.
std::string roff(const std::string& text) {
    std::string out;
    bool line_start = true;
    for (const char c : text) {
        if (line_start && (c == '.' || c == '\''))
            out += "\\&";
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
        line_start = c == '\n';
    }
    return out;
}

std::string option_item(const CLI::Option& opt) {
    std::string names;
    for (const std::string& name : spellings(opt))
        names += (names.empty() ? "" : ", ") + fmt::format("\\fB{}\\fR", roff(name));
    const std::string type = opt.get_type_name();
    if (opt.get_expected_max() != 0 && !type.empty())
        names += " \\fI" + roff(type) + "\\fR";
    return fmt::format(".TP\n{}\n{}\n", names, roff(opt.get_description()));
}

std::string usage_line(const std::string& path, const CLI::App& app) {
    std::string line = fmt::format("\\fBirqlab{}\\fR", roff(path));
    if (!flags_and_options(app).empty())
        line += " [\\fIOPTIONS\\fR]";
    for (const CLI::Option* opt : positionals(app))
        line += fmt::format(" \\fI{}\\fR", roff(opt->get_name(true)));
    if (!visible_subcommands(app).empty())
        line += " \\fISUBCOMMAND\\fR";
    return line;
}

// One command's section: usage, description, options, then its
// subcommands' sections.
void command_section(std::string& page, const std::string& path, const CLI::App& app) {
    page += fmt::format(".SS {}\n{}\n.PP\n{}\n", roff("irqlab" + path), usage_line(path, app),
                        roff(app.get_description()));
    for (const CLI::Option* opt : positionals(app))
        page += fmt::format(".TP\n\\fI{}\\fR\n{}\n", roff(opt->get_name(true)),
                            roff(opt->get_description()));
    for (const CLI::Option* opt : flags_and_options(app))
        page += option_item(*opt);
    for (const CLI::App* sub : visible_subcommands(app))
        command_section(page, path + " " + sub->get_name(), *sub);
}

std::string page_header(const std::string& name, const std::string& version,
                        const std::string& summary) {
    return fmt::format(".TH {} 8 \"\" \"irqlab {}\" \"irqlab\"\n.SH NAME\n{} \\- {}\n", roff(name),
                       roff(version), roff(name), roff(summary));
}

const char* const exit_status_section =
    ".SH EXIT STATUS\n"
    ".TP\n0\nSuccess.\n"
    ".TP\n1\nAn error: a message on stderr says what and why.\n"
    ".TP\n2\nA usage error.\n"
    ".TP\n3\nEvents lost: an accounting identity did not hold, or the BPF probes disagreed "
    "with the module (torture: FAILURE).\n"
    ".TP\n4\ncompare: a p99 above \\fB\\-\\-max\\-p99\\fR.\n";

const char* const files_section =
    ".SH FILES\n"
    ".TP\n/dev/irqlab\nThe module's device (root only, and every command needs "
    "CAP_SYS_ADMIN).\n"
    ".TP\n/usr/share/irqlab/bpf\nThe bpftrace scripts (native\\-latency.bt, "
    "engine\\-latency.bt, compare.bt).\n";

// --- completion ---------------------------------------------------------

struct CommandWords {
    std::string path; // "", "engine", "engine attach"
    std::string subcommands;
    std::string options;
    std::string device_options; // options whose value is a PCI address
    bool bdf_positional = false;
};

void collect(std::vector<CommandWords>& out, const std::string& path, const CLI::App& app) {
    CommandWords words{path, {}, {}, {}, takes_bdf_positional(app)};
    for (const CLI::App* sub : visible_subcommands(app))
        words.subcommands += (words.subcommands.empty() ? "" : " ") + sub->get_name();
    for (const CLI::Option* opt : flags_and_options(app)) {
        for (const std::string& name : spellings(*opt)) {
            words.options += (words.options.empty() ? "" : " ") + name;
            if (takes_device_option(*opt))
                words.device_options += (words.device_options.empty() ? "" : "|") + name;
        }
    }
    out.push_back(words);
    for (const CLI::App* sub : visible_subcommands(app))
        collect(out, path.empty() ? sub->get_name() : path + " " + sub->get_name(), *sub);
}

// The arms of _irqlab_command's case, one per command path: its words as
// the shell's lists ('list' formats one: "'{}'" for bash, "({})" for zsh),
// the device options joined by 'device_separator' (bash matches them as an
// extglob pattern, zsh looks them up in an array).
std::string case_arms(const CLI::App& app, const char* list, char device_separator) {
    std::vector<CommandWords> commands;
    collect(commands, "", app);
    const auto as_list = [list](const std::string& words) {
        return fmt::format(fmt::runtime(list), words);
    };
    std::string arms;
    for (const CommandWords& c : commands) {
        arms += fmt::format("\t'{}')\n\t\tsubcommands={}\n\t\toptions={}\n", c.path,
                            as_list(c.subcommands), as_list(c.options));
        if (!c.device_options.empty()) {
            std::string device_options = c.device_options;
            std::replace(device_options.begin(), device_options.end(), '|', device_separator);
            arms += fmt::format("\t\tdevice_options={}\n", as_list(device_options));
        }
        if (c.bdf_positional)
            arms += "\t\tbdf=1\n";
        arms += "\t\t;;\n";
    }
    return arms;
}

} // namespace

std::map<std::string, std::string> man_pages(const CLI::App& app, const std::string& version) {
    std::map<std::string, std::string> pages;
    std::string overview = page_header("irqlab", version, app.get_description());
    overview += ".SH SYNOPSIS\n" + usage_line("", app) + "\n.SH DESCRIPTION\n" +
                roff(app.get_footer()) + "\n.SH COMMANDS\n";
    for (const CLI::App* sub : visible_subcommands(app)) {
        overview += fmt::format(".TP\n\\fBirqlab\\-{}\\fR(8)\n{}\n", roff(sub->get_name()),
                                roff(sub->get_description()));
        std::string page =
            page_header("irqlab-" + sub->get_name(), version, sub->get_description());
        page += ".SH SYNOPSIS\n" + usage_line(" " + sub->get_name(), *sub) + "\n.SH COMMANDS\n";
        command_section(page, " " + sub->get_name(), *sub);
        page += exit_status_section;
        page += ".SH SEE ALSO\n\\fBirqlab\\fR(8)\n";
        pages["irqlab-" + sub->get_name() + ".8"] = page;
    }
    overview += ".SH OPTIONS\n";
    for (const CLI::Option* opt : flags_and_options(app))
        overview += option_item(*opt);
    overview += exit_status_section;
    overview += files_section;
    overview += ".SH SEE ALSO\n";
    std::string see_also;
    for (const CLI::App* sub : visible_subcommands(app))
        see_also += fmt::format("{}\\fBirqlab\\-{}\\fR(8)", see_also.empty() ? "" : ",\n",
                                roff(sub->get_name()));
    overview += see_also + "\n";
    pages["irqlab.8"] = overview;
    return pages;
}

std::string bash_completion(const CLI::App& app) {
    const std::string cases = case_arms(app, "'{}'", '|');
    // clang-format off
    return fmt::format(R"sh(# bash completion for irqlab; made by 'irqlab generate bash-completion'
# from the CLI's own commands and options.

# PCI addresses: those irqlab has claimed, or for 'claim' every PCI device.
_irqlab_bdfs() {{
	local dir=/sys/bus/pci/drivers/irqlab d
	[ "$1" = claim ] && dir=/sys/bus/pci/devices
	for d in "$dir"/[0-9a-f]*:*; do
		[ -e "$d" ] && printf '%s\n' "${{d##*/}}"
	done
}}

# _irqlab_command PATH: sets the words of that command; false if none.
_irqlab_command() {{
	subcommands='' options='' device_options='' bdf=0
	case $1 in
{}	*) return 1 ;;
	esac
}}

_irqlab() {{
	local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD - 1]}}
	local path='' word i subcommands options device_options bdf
	# The command path: the subcommand words before the cursor.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${{COMP_WORDS[i]}}
		[[ $word == -* ]] && continue
		_irqlab_command "${{path:+$path }}$word" && path=${{path:+$path }}$word
	done
	_irqlab_command "$path"
	if [ -n "$device_options" ] && [[ $prev == @($device_options) ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_irqlab_bdfs)" -- "$cur")
	elif [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
	elif [ -n "$subcommands" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$subcommands" -- "$cur")
	elif [ "$bdf" = 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_irqlab_bdfs "${{path##* }}")" -- "$cur")
	fi
}}

shopt -s extglob
complete -F _irqlab irqlab
)sh",
                       cases);
    // clang-format on
}

std::string zsh_completion(const CLI::App& app) {
    const std::string cases = case_arms(app, "({})", ' ');
    // clang-format off
    return fmt::format(R"sh(#compdef irqlab
# zsh completion for irqlab; made by 'irqlab generate zsh-completion' from
# the CLI's own commands and options.

_irqlab_command() {{
	subcommands=() options=() device_options=() bdf=0
	case $1 in
{}	*) return 1 ;;
	esac
}}

_irqlab_bdfs() {{
	local dir=/sys/bus/pci/drivers/irqlab
	[[ $1 == claim ]] && dir=/sys/bus/pci/devices
	local -a found
	found=($dir/[0-9a-f]*:*(N:t))
	compadd -a found
}}

_irqlab() {{
	local path='' word i bdf=0
	local -a subcommands options device_options
	for ((i = 2; i < CURRENT; i++)); do
		word=${{words[i]}}
		[[ $word == -* ]] && continue
		_irqlab_command "${{path:+$path }}$word" && path=${{path:+$path }}$word
	done
	_irqlab_command "$path"
	if (( ${{device_options[(Ie)${{words[CURRENT-1]}}]}} )); then
		_irqlab_bdfs
	elif [[ ${{words[CURRENT]}} == -* ]]; then
		compadd -a options
	elif (( $#subcommands )); then
		compadd -a subcommands
	elif (( bdf )); then
		_irqlab_bdfs ${{path##* }}
	fi
}}

_irqlab "$@"
)sh",
                       cases);
    // clang-format on
}

} // namespace irqlab::cli::docgen
