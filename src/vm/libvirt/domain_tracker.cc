#include "vm/libvirt/domain_tracker.h"

#include <libvirt/libvirt.h>

#include <utility>

#include "vm/libvirt/lifecycle_event.h"

namespace poolha::vm::libvirt {

void DomainTracker::start_requested(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  ++booting_[uuid];
}

void DomainTracker::start_finished(const std::string& uuid, bool running) {
  std::lock_guard lock(mutex_);
  if (auto it = booting_.find(uuid); it != booting_.end() && --it->second == 0) booting_.erase(it);
  if (running && active_.insert(uuid).second) ++version_;
}

void DomainTracker::adopt(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  adopted_.insert(uuid);
}

bool DomainTracker::adopted(const std::string& uuid) const {
  std::lock_guard lock(mutex_);
  return adopted_.contains(uuid);
}

void DomainTracker::stop_requested(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  stopping_.insert(uuid);
}

void DomainTracker::stop_finished(const std::string& uuid, bool running) {
  std::lock_guard lock(mutex_);
  if (running) {
    stopping_.erase(uuid);
  } else if (active_.erase(uuid) > 0) {
    // The stop request stays until the stop event consumes it: the event
    // can arrive after the worker saw the domain inactive.
    ++version_;
  }
}

std::optional<HaltCause> DomainTracker::lifecycle_event(const std::string& uuid, int event,
                                                        int detail) {
  std::lock_guard lock(mutex_);
  // Other domains on the host are none of this driver's business.
  if (!adopted_.contains(uuid)) return std::nullopt;
  const bool stop_requested = stopping_.contains(uuid);
  if (event == VIR_DOMAIN_EVENT_STARTED) {
    if (active_.insert(uuid).second) ++version_;
  } else if (event == VIR_DOMAIN_EVENT_STOPPED) {
    if (active_.erase(uuid) > 0) ++version_;
    // A domain stops once per run: this is the stop that was asked for.
    stopping_.erase(uuid);
  }
  return halt_cause_of(event, detail, stop_requested);
}

std::vector<std::string> DomainTracker::running() const {
  std::lock_guard lock(mutex_);
  std::set<std::string> all = active_;
  for (const auto& entry : booting_) all.insert(entry.first);
  return {all.begin(), all.end()};
}

bool DomainTracker::listed() const {
  std::lock_guard lock(mutex_);
  return listed_;
}

std::uint64_t DomainTracker::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

bool DomainTracker::replace_active(std::set<std::string> active, std::uint64_t listed_at) {
  std::lock_guard lock(mutex_);
  if (listed_at != version_) return false;
  for (const std::string& uuid : active) adopted_.insert(uuid);
  if (active != active_) {
    active_ = std::move(active);
    ++version_;
  }
  return true;
}

std::vector<std::string> DomainTracker::resync(std::set<std::string> active) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> halted;
  for (const std::string& uuid : active_) {
    if (!active.contains(uuid) && !stopping_.contains(uuid)) halted.push_back(uuid);
  }
  std::erase_if(stopping_, [&active](const std::string& uuid) { return !active.contains(uuid); });
  for (const std::string& uuid : active) adopted_.insert(uuid);
  active_ = std::move(active);
  ++version_;
  listed_ = true;
  return halted;
}

}  // namespace poolha::vm::libvirt
