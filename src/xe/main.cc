// The xe command: runs one command against a poolha pool over its JSON-RPC API.
#include <iostream>
#include <string>
#include <vector>

#include "xe/http_connection.h"
#include "xe/xe_main.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return poolha::xe::run_xe(args, poolha::xe::process_environment(), poolha::xe::connect_over_http,
                            std::cout, std::cerr);
}
