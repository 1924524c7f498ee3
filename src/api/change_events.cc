#include "api/change_events.h"

#include <set>
#include <string>
#include <variant>

namespace poolha::api {
namespace {

// Adds an event per overload of the Change variant.
class EventCollector {
 public:
  EventCollector(const pool::Database& before, const ReadContext& after)
      : before_(before), after_(after) {}

  void operator()(const pool::UpsertHost& c) {
    add_or_mod(host_class(), before_.find_host(c.host.uuid) != nullptr, c.host.uuid);
  }
  void operator()(const pool::RemoveHost& c) {
    events_.push_back(deletion_event(host_class(), c.uuid));
  }
  void operator()(const pool::UpsertSr& c) {
    add_or_mod(sr_class(), before_.find_sr(c.sr.uuid) != nullptr, c.sr.uuid);
  }
  void operator()(const pool::RemoveSr& c) {
    events_.push_back(deletion_event(sr_class(), c.uuid));
  }
  void operator()(const pool::UpsertVm& c) {
    const pool::Vm* old = before_.find_vm(c.vm.uuid);
    add_or_mod(vm_class(), old != nullptr, c.vm.uuid);
    std::set<std::string> hosts;
    if (old != nullptr) {
      hosts.insert(old->resident_on);
      hosts.insert(old->scheduled_to_be_resident_on);
    }
    hosts.insert(c.vm.resident_on);
    hosts.insert(c.vm.scheduled_to_be_resident_on);
    const bool moved = old == nullptr || old->resident_on != c.vm.resident_on ||
                       old->scheduled_to_be_resident_on != c.vm.scheduled_to_be_resident_on ||
                       old->power_state != c.vm.power_state ||
                       old->memory_static_max != c.vm.memory_static_max;
    if (moved) touch_hosts(hosts);
  }
  void operator()(const pool::RemoveVm& c) {
    events_.push_back(deletion_event(vm_class(), c.uuid));
    if (const pool::Vm* old = before_.find_vm(c.uuid)) {
      touch_hosts({old->resident_on, old->scheduled_to_be_resident_on});
    }
  }
  void operator()(const pool::SetPoolFields&) {
    events_.push_back(
        object_event(pool_class(), EventOperation::kMod, after_, after_.database.pool().uuid));
  }

  std::vector<ObjectEvent> take() { return std::move(events_); }

 private:
  void add_or_mod(const ObjectClass& cls, bool existed, const std::string& uuid) {
    events_.push_back(
        object_event(cls, existed ? EventOperation::kMod : EventOperation::kAdd, after_, uuid));
  }
  void touch_hosts(const std::set<std::string>& hosts) {
    for (const std::string& host : hosts) {
      if (!host.empty() && host_class().exists(after_.database, host)) {
        events_.push_back(object_event(host_class(), EventOperation::kMod, after_, host));
      }
    }
  }

  const pool::Database& before_;
  const ReadContext& after_;
  std::vector<ObjectEvent> events_;
};

}  // namespace

std::vector<ObjectEvent> events_for_change(const pool::Database& before, const ReadContext& after,
                                           const pool::Change& change) {
  EventCollector collector(before, after);
  std::visit(collector, change);
  return collector.take();
}

ObjectEvent object_event(const ObjectClass& cls, EventOperation operation,
                         const ReadContext& context, std::string_view uuid) {
  POOLHA_CHECK(operation != EventOperation::kDel, "a deletion has no record to show");
  ObjectEvent event;
  event.class_name = cls.event_name();
  event.operation = operation;
  event.ref = ref_of(uuid);
  event.snapshot = cls.record(context, uuid);
  return event;
}

ObjectEvent deletion_event(const ObjectClass& cls, std::string_view uuid) {
  ObjectEvent event;
  event.class_name = cls.event_name();
  event.operation = EventOperation::kDel;
  event.ref = ref_of(uuid);
  return event;
}

}  // namespace poolha::api
