# Simulator tests, run through the `poolha` binary:
#  - one test per scenario file under scenarios/contract (DESIGN §8 rows);
#  - random fault sweeps over pool sizes 1, 2, 3, 5, 16 and 64, and with VMs
#    over 2, 3, 5 and 16, split into chunks of seeds so ctest -j spreads them
#    over the cores (each chunk runs single-threaded for the same reason).
# A failing sweep prints, for each failing seed, the command that replays it
# with its full timeline.

if(NOT TARGET poolha)
  return()
endif()

file(GLOB POOLHA_CONTRACT_SCENARIOS CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/scenarios/contract/*.scn)
foreach(scenario IN LISTS POOLHA_CONTRACT_SCENARIOS)
  get_filename_component(name ${scenario} NAME_WE)
  # Without --quiet: the timeline is in the test log, and shown on failure.
  add_test(NAME scenario.contract.${name} COMMAND poolha sim ${scenario})
  set_tests_properties(scenario.contract.${name} PROPERTIES LABELS "sim;scenario" TIMEOUT 120)
endforeach()

# Sanitizer builds run several times slower: they sweep 10 % of the seeds by
# default (at least one seed per pool size), and only pools of up to 5 hosts:
# a single 64-host seed alone takes over four minutes there. The normal build
# sweeps every size.
if(POOLHA_SANITIZE)
  set(POOLHA_SIM_SEED_PERCENT_DEFAULT 10)
  set(POOLHA_SIM_MAX_HOSTS_DEFAULT 5)
else()
  set(POOLHA_SIM_SEED_PERCENT_DEFAULT 100)
  set(POOLHA_SIM_MAX_HOSTS_DEFAULT 256)
endif()
set(POOLHA_SIM_SEED_PERCENT ${POOLHA_SIM_SEED_PERCENT_DEFAULT} CACHE STRING
    "Percentage of the random-sweep seeds registered with ctest")
set(POOLHA_SIM_MAX_HOSTS ${POOLHA_SIM_MAX_HOSTS_DEFAULT} CACHE STRING
    "Largest pool size of the random sweeps registered with ctest")

# hosts:vms:seeds:seeds-per-test. Membership-only sweeps (vms 0): 2002 seeds
# over 1, 2, 3, 5, 16 and 64 hosts, a few minutes of CPU time in a
# RelWithDebInfo build (a 64-host seed alone takes about a minute). Sweeps with VMs
# (the same faults plus VM faults, invariants (f)-(h) on top): 2000 seeds over
# 2, 3, 5 and 16 hosts.
set(POOLHA_SIM_SWEEPS
    "1:0:600:600"
    "2:0:600:200"
    "3:0:550:200"
    "5:0:220:110"
    "16:0:30:10"
    "64:0:2:1"
    "2:8:700:175"
    "3:12:700:175"
    "5:40:500:125"
    "16:60:100:25")

foreach(sweep IN LISTS POOLHA_SIM_SWEEPS)
  string(REPLACE ":" ";" fields ${sweep})
  list(GET fields 0 hosts)
  list(GET fields 1 vms)
  list(GET fields 2 seeds)
  list(GET fields 3 chunk)
  if(hosts GREATER POOLHA_SIM_MAX_HOSTS)
    continue()
  endif()
  math(EXPR seeds "${seeds} * ${POOLHA_SIM_SEED_PERCENT} / 100")
  if(seeds LESS 1)
    set(seeds 1)
  endif()
  if(vms EQUAL 0)
    set(kind hosts${hosts})
  else()
    set(kind hosts${hosts}.vms${vms})
  endif()
  set(first 1)
  while(first LESS_EQUAL seeds)
    math(EXPR last "${first} + ${chunk} - 1")
    if(last GREATER seeds)
      set(last ${seeds})
    endif()
    set(name sim.random.${kind}.seeds${first}-${last})
    add_test(NAME ${name}
             COMMAND poolha sim --random --seeds ${first}..${last} --hosts ${hosts} --vms ${vms}
                     --jobs 1)
    set_tests_properties(${name} PROPERTIES LABELS "sim;random-sweep" TIMEOUT 600)
    math(EXPR first "${last} + 1")
  endwhile()
endforeach()

# Seeds that once broke an invariant, replayed on every run. hosts:vms:seed.
#  5:40:4144  a host that had left cleanly started a VM the master of the
#             liveset it left had sent it, while the new master restarted the
#             same VM elsewhere (fixed: a host's VM agent stops with HA).
#  5:40:12906, 5:40:17886  the same fault, with other hosts leaving.
#  5:40:59999  a host hung between publishing its re-forming proposal and the
#             commit; the others never announced its removal, so every later
#             joiner waited forever (fixed: a host adopting its first liveset
#             binds a joiner it saw joining since the liveset before).
set(POOLHA_SIM_REGRESSION_SEEDS "5:40:4144" "5:40:12906" "5:40:17886" "5:40:59999")
foreach(entry IN LISTS POOLHA_SIM_REGRESSION_SEEDS)
  string(REPLACE ":" ";" fields ${entry})
  list(GET fields 0 hosts)
  list(GET fields 1 vms)
  list(GET fields 2 seed)
  set(name sim.regression.hosts${hosts}.vms${vms}.seed${seed})
  add_test(NAME ${name}
           COMMAND poolha sim --random --seeds ${seed}..${seed} --hosts ${hosts} --vms ${vms}
                   --jobs 1)
  set_tests_properties(${name} PROPERTIES LABELS "sim;regression" TIMEOUT 300)
endforeach()
