#include "daemon/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace poolha::daemon {
namespace {

// Reads one TOML table, remembering which keys were read, so that whatever
// is left over can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, std::string source)
      : table_(table), path_(std::move(path)), source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(source_ + ": " + qualified(key) + ": " + what);
  }

  std::string qualified(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  const toml::node* find(const std::string& key) {
    used_.insert(key);
    return table_.get(key);
  }

  std::optional<std::string> string(const std::string& key) {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    const auto value = node->value<std::string>();
    if (!node->is_string() || !value) fail(key, "must be a string");
    return *value;
  }

  std::string required_string(const std::string& key) {
    auto value = string(key);
    if (!value || value->empty()) fail(key, "is required");
    return *value;
  }

  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    if (!node->is_integer()) fail(key, "must be an integer");
    const std::int64_t value = *node->value<std::int64_t>();
    if (value < min || value > max) {
      fail(key, "must be in " + std::to_string(min) + ".." + std::to_string(max) + ", not " +
                    std::to_string(value));
    }
    return value;
  }

  std::optional<double> number(const std::string& key, double min, double max) {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    if (!node->is_floating_point() && !node->is_integer()) fail(key, "must be a number");
    const double value = *node->value<double>();
    if (value < min || value > max) fail(key, "is out of range");
    return value;
  }

  std::optional<bool> boolean(const std::string& key) {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    if (!node->is_boolean()) fail(key, "must be true or false");
    return *node->value<bool>();
  }

  std::optional<std::vector<std::string>> strings(const std::string& key) {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    const toml::array* array = node->as_array();
    if (!array) fail(key, "must be an array of strings");
    std::vector<std::string> out;
    for (const toml::node& element : *array) {
      const auto value = element.value<std::string>();
      if (!element.is_string() || !value) fail(key, "must be an array of strings");
      out.push_back(*value);
    }
    return out;
  }

  std::optional<TableReader> table(const std::string& key) {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    const toml::table* inner = node->as_table();
    if (!inner) fail(key, "must be a table");
    return TableReader(*inner, qualified(key), source_);
  }

  std::vector<TableReader> tables(const std::string& key) {
    const toml::node* node = find(key);
    std::vector<TableReader> out;
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array) fail(key, "must be an array of tables ([[" + qualified(key) + "]])");
    std::size_t i = 0;
    for (const toml::node& element : *array) {
      const toml::table* inner = element.as_table();
      if (!inner) fail(key, "must be an array of tables");
      out.emplace_back(*inner, qualified(key) + "[" + std::to_string(i++) + "]", source_);
    }
    return out;
  }

  // Every key of the table must have been read.
  void finish() const {
    for (const auto& [key, node] : table_) {
      const std::string name(key.str());
      if (!used_.contains(name)) fail(name, "unknown key");
    }
  }

 private:
  const toml::table& table_;
  std::string path_;
  std::string source_;
  std::set<std::string> used_;
};

Duration milliseconds_of(std::int64_t ms) {
  return std::chrono::milliseconds(ms);
}

// Canonical lower-case uuid text; the pool database's uuid rule is wider,
// but host uuids here also become statefile identities, so insist on the
// usual 8-4-4-4-12 hex form.
bool is_canonical_uuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string uuid_of(TableReader& reader, const std::string& key) {
  std::string value = reader.required_string(key);
  if (!is_canonical_uuid(value)) {
    reader.fail(key, "must be a lower-case uuid (8-4-4-4-12 hex digits), not '" + value + "'");
  }
  return value;
}

Endpoint endpoint_of(TableReader& reader, const std::string& key) {
  try {
    return parse_endpoint(reader.required_string(key));
  } catch (const ConfigError& error) {
    reader.fail(key, error.what());
  }
}

PoolHostConfig read_pool_host(TableReader reader) {
  PoolHostConfig host;
  host.uuid = uuid_of(reader, "uuid");
  host.name = reader.string("name").value_or(host.uuid.substr(0, 8));
  host.heartbeat = endpoint_of(reader, "heartbeat");
  host.api = endpoint_of(reader, "api");
  const auto memory = reader.integer("memory_mib", 1, std::int64_t{1} << 32);
  if (!memory) reader.fail("memory_mib", "is required");
  host.memory_mib = static_cast<std::uint64_t>(*memory);
  host.memory_overhead_mib =
      static_cast<std::uint64_t>(reader.integer("memory_overhead_mib", 0, *memory).value_or(0));
  host.weight = static_cast<std::uint32_t>(reader.integer("weight", 1, 1'000'000).value_or(1));
  reader.finish();
  return host;
}

void read_host_section(TableReader reader, DaemonConfig& config) {
  config.host_uuid = uuid_of(reader, "uuid");
  config.state_dir = reader.required_string("state_dir");
  config.run_dir = reader.required_string("run_dir");
  reader.finish();
}

void read_pool_section(TableReader reader, DaemonConfig& config) {
  config.pool_uuid = uuid_of(reader, "uuid");
  config.pool_name = reader.string("name").value_or("pool");
  config.secret_file = reader.required_string("secret_file");
  if (const auto t = reader.integer("default_ha_timeout", 2, 3600)) {
    config.default_ha_timeout = std::chrono::seconds(*t);
  }
  for (TableReader& host : reader.tables("host")) config.hosts.push_back(read_pool_host(host));
  if (config.hosts.empty()) reader.fail("host", "at least one [[pool.host]] is required");
  if (config.hosts.size() > 256) reader.fail("host", "a pool has at most 256 hosts");
  reader.finish();
}

void read_heartbeat_section(TableReader reader, DaemonConfig& config) {
  config.heartbeat_interface = reader.string("interface");
  reader.finish();
}

void read_heartbeat_sr_section(TableReader reader, DaemonConfig& config) {
  HeartbeatSrConfig& sr = config.heartbeat_sr;
  sr.uuid = uuid_of(reader, "uuid");
  sr.name_label = reader.string("name_label").value_or("heartbeat SR");
  sr.device = reader.required_string("device");
  sr.direct_io = reader.boolean("direct_io").value_or(true);
  sr.metadata_area_mib =
      static_cast<std::uint64_t>(reader.integer("metadata_area_mib", 1, 1024).value_or(16));
  reader.finish();
}

void read_fencing_section(TableReader reader, DaemonConfig& config) {
  const std::string kind = reader.string("kind").value_or("process");
  if (kind == "process") {
    config.fencing.kind = FencerKind::kProcess;
    config.fencing.socket =
        reader.string("socket").value_or((config.run_dir / "fencer.sock").string());
  } else if (kind == "watchdog") {
    config.fencing.kind = FencerKind::kWatchdogDevice;
    config.fencing.device = reader.string("device").value_or("/dev/watchdog");
  } else {
    reader.fail("kind", "must be \"process\" or \"watchdog\", not \"" + kind + "\"");
  }
  if (const auto ms = reader.integer("fence_latency_ms", 1, 60'000)) {
    config.fence_latency = milliseconds_of(*ms);
  }
  if (const auto drift = reader.number("clock_drift", 0.0, 0.2)) config.clock_drift = *drift;
  reader.finish();
}

void read_api_section(TableReader reader, DaemonConfig& config) {
  config.api.user = reader.string("user").value_or("root");
  config.api.password_hash = reader.required_string("password_hash");
  config.api.forward_to_master = reader.boolean("forward_to_master").value_or(true);
  reader.finish();
}

void read_vm_section(TableReader reader, DaemonConfig& config) {
  config.vm_driver = reader.string("driver").value_or("process");
  if (config.vm_driver != "process" && config.vm_driver != "qemu" &&
      config.vm_driver != "libvirt") {
    reader.fail("driver",
                "must be \"process\", \"qemu\" or \"libvirt\", not \"" + config.vm_driver + "\"");
  }
  config.process_vm_command = reader.strings("command").value_or(std::vector<std::string>{});
  if (config.vm_driver == "process" && config.process_vm_command.empty()) {
    reader.fail("command", "the process driver needs the command a VM runs");
  }
  QemuSettings& qemu = config.qemu;
  qemu.binary = reader.string("qemu_binary").value_or(qemu.binary);
  qemu.accel = reader.string("accel").value_or(qemu.accel);
  if (qemu.accel != "auto" && qemu.accel != "kvm" && qemu.accel != "tcg") {
    reader.fail("accel", "must be \"auto\", \"kvm\" or \"tcg\", not \"" + qemu.accel + "\"");
  }
  qemu.kernel = reader.string("kernel").value_or("");
  qemu.initramfs = reader.string("initramfs").value_or("");
  qemu.kernel_cmdline = reader.string("kernel_cmdline").value_or(qemu.kernel_cmdline);
  qemu.disks = reader.strings("disks").value_or(std::vector<std::string>{});
  qemu.vcpus = static_cast<std::uint32_t>(reader.integer("vcpus", 1, 64).value_or(qemu.vcpus));
  qemu.default_memory_mib = static_cast<std::uint64_t>(
      reader.integer("default_memory_mib", 16, 1 << 20).value_or(qemu.default_memory_mib));
  if (config.vm_driver == "qemu" && qemu.kernel.empty()) {
    reader.fail("kernel", "the qemu driver needs the guest kernel to boot");
  }
  config.libvirt.uri = reader.string("libvirt_uri").value_or(config.libvirt.uri);
  config.libvirt.domain_template = reader.string("domain_template").value_or("");
  if (config.vm_driver == "libvirt" && config.libvirt.domain_template.empty()) {
    reader.fail("domain_template", "the libvirt driver needs a domain XML template");
  }
  reader.finish();
}

void check_pool(const DaemonConfig& config, const std::string& source) {
  auto fail = [&](const std::string& what) { throw ConfigError(source + ": " + what); };
  std::set<std::string> uuids;
  std::set<std::pair<std::string, std::uint16_t>> heartbeat_endpoints;
  for (const PoolHostConfig& host : config.hosts) {
    if (!uuids.insert(host.uuid).second) fail("pool.host: uuid " + host.uuid + " appears twice");
    if (!heartbeat_endpoints.insert({host.heartbeat.address, host.heartbeat.port}).second) {
      fail("pool.host: two hosts share the heartbeat endpoint " + host.heartbeat.address + ":" +
           std::to_string(host.heartbeat.port));
    }
  }
  if (!uuids.contains(config.host_uuid)) {
    fail("host.uuid " + config.host_uuid + " is not one of the [[pool.host]] entries");
  }
}

}  // namespace

std::size_t DaemonConfig::self_index() const {
  const auto it = std::find_if(hosts.begin(), hosts.end(),
                               [&](const PoolHostConfig& h) { return h.uuid == host_uuid; });
  if (it == hosts.end()) throw ConfigError("host " + host_uuid + " is not in the pool");
  return static_cast<std::size_t>(it - hosts.begin());
}

Endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  auto fail = [&]() -> Endpoint {
    throw ConfigError("'" + text + "' is not ADDRESS:PORT (numeric IPv4 and a port)");
  };
  if (colon == std::string::npos) return fail();
  Endpoint endpoint;
  endpoint.address = text.substr(0, colon);
  in_addr parsed{};
  if (::inet_pton(AF_INET, endpoint.address.c_str(), &parsed) != 1) return fail();
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  unsigned port = 0;
  const auto [stop, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || stop != end || port == 0 || port > 65535) return fail();
  endpoint.port = static_cast<std::uint16_t>(port);
  return endpoint;
}

DaemonConfig parse_config(const std::string& text, const std::filesystem::path& source) {
  const std::string name = source.string();
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    std::ostringstream out;
    out << name << ":" << error.source().begin.line << ":" << error.source().begin.column << ": "
        << error.description();
    throw ConfigError(out.str());
  }
  DaemonConfig config;
  config.source = source;
  TableReader top(root, "", name);
  auto section = [&](const std::string& key, bool required) -> std::optional<TableReader> {
    auto reader = top.table(key);
    if (!reader && required) top.fail(key, "section [" + key + "] is required");
    return reader;
  };
  read_host_section(*section("host", true), config);
  read_pool_section(*section("pool", true), config);
  if (auto reader = section("heartbeat", false)) read_heartbeat_section(*reader, config);
  read_heartbeat_sr_section(*section("heartbeat_sr", true), config);
  if (auto reader = section("fencing", false)) {
    read_fencing_section(*reader, config);
  } else {
    config.fencing.socket = config.run_dir / "fencer.sock";
  }
  read_api_section(*section("api", true), config);
  if (auto reader = section("isolation", false)) {
    config.isolation_addresses = reader->strings("addresses").value_or(std::vector<std::string>{});
    for (const std::string& address : config.isolation_addresses) {
      in_addr parsed{};
      if (::inet_pton(AF_INET, address.c_str(), &parsed) != 1) {
        reader->fail("addresses", "'" + address + "' is not a numeric IPv4 address");
      }
    }
    reader->finish();
  }
  read_vm_section(*section("vm", true), config);
  top.finish();

  std::sort(config.hosts.begin(), config.hosts.end(),
            [](const PoolHostConfig& a, const PoolHostConfig& b) { return a.uuid < b.uuid; });
  check_pool(config, name);
  config.api.listen = config.self().api;
  return config;
}

DaemonConfig load_config(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file);
}

}  // namespace poolha::daemon
