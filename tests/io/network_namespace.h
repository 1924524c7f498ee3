// A network namespace created for one test, so tests can send ICMP and UDP
// to addresses that exist only inside it (never onto a real network). The
// calling thread enters it for as long as an Entered guard lives; sockets
// created meanwhile stay in it. Needs root and the `ip` tool.
#pragma once

#include <string>

namespace poolha::io::testing {

class NetworkNamespace {
 public:
  // Empty when namespaces can be created here, otherwise why not (for GTEST_SKIP).
  static std::string unavailable_reason();

  NetworkNamespace();   // creates it, with only `lo` (down)
  ~NetworkNamespace();  // deletes it
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  const std::string& name() const { return name_; }
  // Runs a shell command inside the namespace; throws if it fails.
  void run(const std::string& command) const;

  class Entered {
   public:
    explicit Entered(const NetworkNamespace& ns);
    ~Entered();  // back to the thread's previous namespace
    Entered(const Entered&) = delete;
    Entered& operator=(const Entered&) = delete;

   private:
    int previous_ = -1;
  };

 private:
  std::string name_;
};

}  // namespace poolha::io::testing
