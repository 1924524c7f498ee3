#include "xe/class_schema.h"

namespace poolha::xe {
namespace {

using enum ValueKind;
using enum Access;

}  // namespace

const ClassSpec& pool_class() {
  static const ClassSpec spec{
      "pool",
      "pool",
      {
          {"uuid", "uuid", kString, kReadOnly},
          {"name-label", "name_label", kString, kReadWrite, {}, "pool.set_name_label"},
          {"name-description",
           "name_description",
           kString,
           kReadWrite,
           {},
           "pool.set_name_description"},
          {"master", "master", kRef, kReadOnly, "host"},
          {"ha-enabled", "ha_enabled", kBool, kReadOnly},
          // xe shows the configuration as a plain read-only field, not as a map.
          {"ha-configuration", "ha_configuration", kStringMap, kReadOnly},
          // xapi lists statefile VDIs here; poolha keeps the statefile in an
          // area of the heartbeat SR and lists the SRs.
          {"ha-statefiles", "ha_statefiles", kRefSet, kReadOnly, "SR"},
          {"ha-host-failures-to-tolerate",
           "ha_host_failures_to_tolerate",
           kInt,
           kReadWrite,
           {},
           "pool.set_ha_host_failures_to_tolerate"},
          {"ha-plan-exists-for", "ha_plan_exists_for", kInt, kReadOnly},
          {"ha-allow-overcommit",
           "ha_allow_overcommit",
           kBool,
           kReadWrite,
           {},
           "pool.set_ha_allow_overcommit"},
          {"ha-overcommitted", "ha_overcommitted", kBool, kReadOnly},
          {"ha-reboot-vm-on-internal-shutdown",
           "ha_reboot_vm_on_internal_shutdown",
           kBool,
           kReadWrite,
           {},
           "pool.set_ha_reboot_vm_on_internal_shutdown"},
          // poolha's persistent HA timeout (seconds), which re-enabling HA keeps.
          {"ha-timeout", "ha_timeout", kInt, kReadOnly},
      },
      {"uuid", "name-label", "name-description", "master"},
  };
  return spec;
}

const ClassSpec& host_class() {
  static const ClassSpec spec{
      "host",
      "host",
      {
          {"uuid", "uuid", kString, kReadOnly},
          {"name-label", "name_label", kString, kReadWrite, {}, "host.set_name_label"},
          {"name-description",
           "name_description",
           kString,
           kReadWrite,
           {},
           "host.set_name_description"},
          {"enabled", "enabled", kBool, kReadOnly},
          {"address", "address", kString, kReadOnly},
          {"memory-overhead", "memory_overhead", kInt, kReadOnly},
          {"memory-total", "memory_total", kInt, kReadOnly},
          {"memory-free", "memory_free", kInt, kReadOnly},
          // xe reads liveness from the host's metrics object; poolha keeps it
          // on the host record.
          {"host-metrics-live", "live", kBool, kReadOnly},
          {"ha-statefiles", "ha_statefiles", kRefSet, kReadOnly, "SR"},
          {"ha-network-peers", "ha_network_peers", kStringSet, kReadOnly},
          {"resident-vms", "resident_VMs", kRefSet, kReadOnly, "VM"},
      },
      {"uuid", "name-label", "name-description"},
  };
  return spec;
}

const ClassSpec& vm_class() {
  static const ClassSpec spec{
      "vm",
      "VM",
      {
          {"uuid", "uuid", kString, kReadOnly},
          {"name-label", "name_label", kString, kReadWrite, {}, "VM.set_name_label"},
          {"name-description",
           "name_description",
           kString,
           kReadWrite,
           {},
           "VM.set_name_description"},
          // Scripts filter on these (vm-list is-control-domain=false); poolha
          // has neither templates nor a control domain VM.
          {"is-a-template", "is_a_template", kBool, kReadWrite, {}, "VM.set_is_a_template"},
          {"is-control-domain", "is_control_domain", kBool, kReadOnly},
          {"power-state", "power_state", kPowerState, kReadOnly},
          {"memory-static-max",
           "memory_static_max",
           kInt,
           kReadWrite,
           {},
           "VM.set_memory_static_max"},
          {"resident-on", "resident_on", kRef, kReadOnly, "host"},
          {"ha-always-run", "ha_always_run", kBool, kReadWrite, {}, "VM.set_ha_always_run", true},
          {"ha-restart-priority",
           "ha_restart_priority",
           kString,
           kReadWrite,
           {},
           "VM.set_ha_restart_priority"},
          {"start-delay", "start_delay", kInt, kReadWrite, {}, "VM.set_start_delay"},
          {"order", "order", kInt, kReadWrite, {}, "VM.set_order"},
      },
      {"uuid", "name-label", "power-state"},
  };
  return spec;
}

const ClassSpec& sr_class() {
  static const ClassSpec spec{
      "sr",
      "SR",
      {
          {"uuid", "uuid", kString, kReadOnly},
          {"name-label", "name_label", kString, kReadWrite, {}, "SR.set_name_label"},
          {"name-description",
           "name_description",
           kString,
           kReadWrite,
           {},
           "SR.set_name_description"},
          {"type", "type", kString, kReadOnly},
          {"content-type", "content_type", kString, kReadOnly},
          {"shared", "shared", kBool, kReadWrite, {}, "SR.set_shared"},
      },
      {"uuid", "name-label", "name-description", "type", "content-type"},
  };
  return spec;
}

const std::vector<const ClassSpec*>& all_classes() {
  static const std::vector<const ClassSpec*> classes = {&pool_class(), &host_class(), &vm_class(),
                                                        &sr_class()};
  return classes;
}

const FieldSpec* find_field(const ClassSpec& spec, std::string_view name) {
  for (const auto& field : spec.fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

namespace {

std::string_view access_marker(Access access) {
  switch (access) {
    case kReadOnly:
      return " ( RO)";
    case kReadWrite:
      return " ( RW)";
    case kMapReadOnly:
      return " (MRO)";
    case kMapReadWrite:
      return " (MRW)";
    case kSetReadOnly:
      return " (SRO)";
    case kSetReadWrite:
      return " (SRW)";
  }
  return " (  ?)";
}

}  // namespace

std::string field_label(const FieldSpec& field) {
  std::string label(field.name);
  label += access_marker(field.access);
  if (field.deprecated) label += " [DEPRECATED]";
  return label;
}

bool is_writable(const FieldSpec& field) {
  return !field.setter.empty();
}

}  // namespace poolha::xe
