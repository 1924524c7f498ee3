// The groups of methods the dispatcher serves, one function per group and
// file, each adding its methods to the table.
#pragma once

#include "api/api_clocks.h"
#include "api/event_service.h"
#include "api/method_table.h"
#include "api/pool_backend.h"
#include "api/session_table.h"

namespace poolha::api {

// session.login_with_password, session.slave_login, session.logout.
void add_session_methods(MethodTable& table, SessionTable& sessions, EventService& events,
                         const ApiClocks& clocks);
// system.listMethods.
void add_system_methods(MethodTable& table);
// For pool, host, VM and SR: get_all, get_all_records, get_record,
// get_by_uuid, get_by_name_label (not pool) and get_<field> for every field
// of the class's field table.
void add_class_methods(MethodTable& table, const PoolBackend& backend);
// pool.enable_ha, pool.disable_ha, pool.set_ha_host_failures_to_tolerate,
// pool.set_ha_allow_overcommit, pool.ha_compute_max_host_failures_to_tolerate,
// pool.ha_failover_plan_exists.
void add_pool_methods(MethodTable& table, PoolBackend& backend);
// VM.start, VM.start_on, VM.clean_shutdown, VM.hard_shutdown,
// VM.set_ha_restart_priority, VM.set_order, VM.set_start_delay.
void add_vm_methods(MethodTable& table, PoolBackend& backend);
// host.disable, host.enable, host.evacuate, host.emergency_ha_disable,
// host.ha_disarm_fencing.
void add_host_methods(MethodTable& table, PoolBackend& backend);
// event.from, event.inject.
void add_event_methods(MethodTable& table, EventService& events);

}  // namespace poolha::api
