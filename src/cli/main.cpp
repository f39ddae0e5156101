// The `cunmf` command: parses the subcommand and runs it. Errors become one line on stderr and an
// exit code (2 for usage errors, 1 for runtime errors); never a stack trace.
#include <cstdio>
#include <exception>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "cunmf/cunmf.hpp"

int main(int argc, char** argv) {
  using namespace cunmf::cli;
  CLI::App app{"cuNMF: non-negative matrix factorization on the GPU and the CPU", "cunmf"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("cunmf ") + cunmf::version());

  // Each command is registered with the action to run when it is the one parsed.
  std::vector<std::pair<CLI::App*, CommandAction>> commands;
  auto add = [&](CommandAction action) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(action));
  };
  add(add_demo_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "cunmf: %s\n", e.what());
    return kExitUsageError;
  }
  try {
    for (auto& [command, action] : commands) {
      if (command->parsed()) return action();
    }
  } catch (const cunmf::InvalidArgument& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsageError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitRuntimeError;
  }
  return kExitUsageError;
}
