// dist/mpi.cpp: MpiGroup over MPI_COMM_WORLD (see mpi.h); without MPI at build time, only
// the check that refuses to run as one of several launched processes.
#include "lmk/dist/mpi.h"
#include "lmk/core/error.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>

#ifdef LMK_HAVE_MPI
#define OMPI_SKIP_MPICXX 1 // the C API only: the removed C++ bindings need libmpi_cxx
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace lmk::dist {

namespace {
#ifdef LMK_HAVE_MPI
void check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw Error(fmt::format("{} failed: {}", what, std::string(text, size_t(len))));
}

// In pieces of 1M values: Open MPI takes a scratch buffer the size of the message for each
// call, and one the size of a 124M-value gradient is fresh memory every time, faulted in page
// by page (2 ranks, one machine, 124M floats: 1.4-2.9 s a call; in 1M pieces 117 ms, 256K
// or 4M pieces 129-131). MPI counts are ints besides.
template <class T> void allreduce(T* data, size_t n, MPI_Datatype type) {
    constexpr size_t kPiece = size_t(1) << 20;
    for (size_t done = 0; done < n; done += kPiece) {
        const int count = int(std::min(kPiece, n - done));
        check(MPI_Allreduce(MPI_IN_PLACE, data + done, count, type, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    }
}
#endif
} // namespace

long launched_processes(const std::function<const char*(const char*)>& env) {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const char* v = env(var)) return std::max(1L, std::atol(v));
    if (const char* rank = env("PMIX_RANK")) return std::max(0L, std::atol(rank)) + 1;
    return 0;
}

#ifdef LMK_HAVE_MPI
bool built_with_mpi() { return true; }

MpiGroup::MpiGroup() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local), "MPI_Comm_split_type");
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
}

// MPI_Finalize waits for every rank; one leaving on an error (its message already on its way
// to stderr) would wait for ranks blocked in a sum forever. Without it, the launcher sees the
// rank exit unfinalised and ends the job.
MpiGroup::~MpiGroup() {
    if (std::uncaught_exceptions() == 0) MPI_Finalize();
}

void MpiGroup::sum(float* data, size_t n) { allreduce(data, n, MPI_FLOAT); }
void MpiGroup::sum(double* data, size_t n) { allreduce(data, n, MPI_DOUBLE); }
void MpiGroup::barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

std::unique_ptr<MpiGroup> join_launched_group(long launched) {
    if (launched == 0) return nullptr;
    return std::make_unique<MpiGroup>();
}
#else
bool built_with_mpi() { return false; }

MpiGroup::MpiGroup() {}
MpiGroup::~MpiGroup() {}
void MpiGroup::sum(float*, size_t) {}
void MpiGroup::sum(double*, size_t) {}
void MpiGroup::barrier() {}

std::unique_ptr<MpiGroup> join_launched_group(long launched) {
    if (launched > 1)
        throw Error(fmt::format("one of {} processes started by an MPI launcher, but this build has no MPI: each "
                                "would train alone",
                                launched),
                    "install libopenmpi-dev (scripts/install-deps.sh) and rebuild, or run one process");
    return nullptr;
}
#endif

} // namespace lmk::dist
