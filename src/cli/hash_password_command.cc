#include "cli/hash_password_command.h"

#include <iostream>
#include <string>

#include "api/password_hash.h"

namespace poolha::cli {

void add_hash_password_command(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "hash-password", "read a password on standard input and print its api.password_hash value");
  command->callback([&exit_code] {
    std::string password;
    if (!std::getline(std::cin, password) || password.empty()) {
      std::cerr << "poolha hash-password: no password on standard input\n";
      exit_code = 2;
      return;
    }
    std::cout << api::PasswordHash::create(password).encoded() << "\n";
    exit_code = 0;
  });
}

}  // namespace poolha::cli
