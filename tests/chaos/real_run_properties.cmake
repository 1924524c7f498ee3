# Read by ctest after the discovered tests of poolha_chaos_tests exist.
set_tests_properties(ChaosRealRun.ThreeHostsThreeFaultsLeaveACleanVerdict
                     PROPERTIES LABELS "integration" TIMEOUT 600 RESOURCE_LOCK local_pool)
