// Tests for dist/mpi: what the launcher's environment announces, and joining no group (the
// MPI group itself is tested under mpirun: tests/scripts/pretrain_mpi.sh).
#include "lmk/core/error.h"
#include "lmk/dist/mpi.h"

#include <doctest/doctest.h>
#include <map>
#include <string>

using namespace lmk;

namespace {
long launched(const std::map<std::string, std::string>& env) {
    return dist::launched_processes([&](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}
} // namespace

TEST_CASE("dist: the launched process count from each launcher's environment") {
    CHECK(launched({}) == 0);
    CHECK(launched({{"SLURM_NTASKS", "8"}}) == 0); // an allocation, not a launch
    CHECK(launched({{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "3"}}) == 4);
    CHECK(launched({{"PMI_SIZE", "3"}, {"PMI_RANK", "0"}}) == 3);
    CHECK(launched({{"PMIX_RANK", "0"}}) == 1);
    CHECK(launched({{"PMIX_RANK", "5"}}) == 6);
    CHECK(launched({{"OMPI_COMM_WORLD_SIZE", "0"}}) == 1); // launched, whatever it says
    CHECK(launched({{"PMI_SIZE", "2"}, {"PMIX_RANK", "7"}}) == 2);
}

TEST_CASE("dist: a process no launcher started joins no group") {
    CHECK(dist::join_launched_group(0) == nullptr);
    // A build without MPI refuses to be one of several processes (each would train alone).
    if (!dist::built_with_mpi())
        CHECK_THROWS_WITH_AS(dist::join_launched_group(2), doctest::Contains("this build has no MPI"), Error);
}
