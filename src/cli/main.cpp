// The `cunmf` command: parses the subcommand and runs it. Errors become one line on stderr and an
// exit code (commands.hpp, README "Command line"), mapped from the exception here and only here;
// never a stack trace.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "cunmf/cunmf.hpp"

namespace {

/// `message` on one line: line breaks become "; ", other control characters (a NUL included)
/// `\xNN`, and a "cunmf: " prefix is added unless the message already starts with it.
std::string one_line_error(const std::string& message) {
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' || c == '\n') {
      while (i + 1 < message.size() && (message[i + 1] == '\n' || message[i + 1] == '\r')) ++i;
      if (i + 1 < message.size()) out += "; ";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  constexpr std::string_view kPrefix = "cunmf: ";
  if (out.compare(0, kPrefix.size(), kPrefix) != 0) out.insert(0, kPrefix);
  return out;
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "%s\n", one_line_error(message).c_str());
}

/// Runs `action`; an exception becomes its message on stderr and the exit code of its kind.
/// cunmf::DeviceOutOfMemory derives from CudaError (device memory); host memory is std::bad_alloc.
template <class Action>
int run_reporting_errors(Action&& action) {
  using namespace cunmf::cli;
  try {
    return action();
  } catch (const cunmf::InvalidArgument& e) {
    print_error(e.what());
    return kExitUsageError;
  } catch (const cunmf::InvalidEntryError& e) {  // a bad value in a file is invalid input
    print_error(e.what());
    return kExitUsageError;
  } catch (const cunmf::IoError& e) {
    print_error(e.what());
    return kExitIoError;
  } catch (const std::filesystem::filesystem_error& e) {
    print_error(e.what());
    return kExitIoError;
  } catch (const cunmf::NumericalError& e) {
    print_error(e.what());
    return kExitNumericalError;
  } catch (const cunmf::DeviceUnavailable& e) {
    print_error(e.what());
    return kExitDeviceError;
  } catch (const cunmf::CudaError& e) {
    print_error(e.what());
    return kExitDeviceError;
  } catch (const std::bad_alloc&) {
    print_error("out of host memory");
    return kExitInternalError;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitInternalError;
  } catch (...) {
    print_error("unknown error");
    return kExitInternalError;
  }
}

}  // namespace

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
  add(add_factorize_command(app));
  add(add_transform_command(app));
  add(add_info_command(app));

  // CLI11 reports an unknown command as a missing one: name it instead. The main command has
  // only flags, so its first other argument is the command.
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') continue;
    std::string known;
    bool found = false;
    for (const auto& entry : commands) {
      known += (known.empty() ? "" : ", ") + entry.first->get_name();
      found = found || entry.first->check_name(word);
    }
    if (!found) {
      print_error("unknown command '" + word + "' (the commands are " + known + ")");
      return kExitUsageError;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what() + std::string(" (run 'cunmf --help' or 'cunmf COMMAND --help')"));
    return kExitUsageError;
  }
  for (auto& [command, action] : commands) {
    if (command->parsed()) return run_reporting_errors(action);
  }
  return kExitUsageError;
}
