// libFuzzer target: the `cunmf` command line's argument parsing. The input is the arguments after
// `cunmf`, one per line (a NUL ends an argument early, as in a real argv). The parser is set up
// exactly as main.cpp sets it up (the same add_*_command functions) and parses; help, version and
// parse errors are rendered as main.cpp renders them, into a string. No command runs.
#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "cunmf/cunmf.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cunmf;
  std::vector<std::string> words{"cunmf"};
  std::string word;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      words.push_back(word);
      word.clear();
    } else {
      word += static_cast<char>(data[i]);
    }
  }
  if (!word.empty()) words.push_back(word);
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());  // c_str(): stops at a NUL
  argv.push_back(nullptr);

  fuzz::expect_only_cunmf_errors("cunmf argument parsing", [&] {
    CLI::App app{"cuNMF: non-negative matrix factorization on the GPU and the CPU", "cunmf"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("cunmf ") + version());
    // The actions own the settings the options write to: keep them alive through the parse.
    const cli::CommandAction actions[] = {
        cli::add_demo_command(app), cli::add_factorize_command(app), cli::add_info_command(app)};
    (void)actions;
    std::ostringstream out, err;
    try {
      app.parse(static_cast<int>(words.size()), argv.data());
    } catch (const CLI::Error& e) {
      app.exit(e, out, err);  // help, version or the parse error, as main.cpp prints them
    }
  });
  return 0;
}
