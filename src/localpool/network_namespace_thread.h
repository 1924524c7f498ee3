// Running a piece of work inside another network namespace without a child
// process: a thread of its own joins the namespace (setns on the file `ip
// netns add` made under /run/netns), runs the work and ends. Sockets the
// work opens belong to that namespace for good, so a connection made there
// (an NBD client, say) reaches what the namespace reaches and can then be
// used from any thread. The caller's own threads never change namespace.
#pragma once

#include <future>
#include <string>
#include <thread>
#include <utility>

namespace poolha::localpool {

// Moves the calling thread into the named network namespace. Throws
// std::system_error naming the namespace when it does not exist or this
// process may not enter it.
void enter_network_namespace(const std::string& name);

// Runs `work` on a new thread inside the namespace and returns what it
// returns, or rethrows what it (or entering the namespace) threw.
template <typename Work>
auto run_in_network_namespace(const std::string& name, Work work) -> decltype(work()) {
  std::packaged_task<decltype(work())()> task([&name, &work] {
    enter_network_namespace(name);
    return work();
  });
  auto result = task.get_future();
  std::thread(std::move(task)).join();
  return result.get();
}

}  // namespace poolha::localpool
