// dist/mpi.h: the group of processes mpirun or srun started, for data-parallel training
// (DESIGN.md §5; what the Trainer does with a group: train/collectives.h).
//
// join_launched_group(n) takes the process count the launcher announced (the tool reads
// its environment; 0: not launched by one): 0 gives nullptr, a process that trains alone.
// Otherwise MPI is initialised (finalised when the group is destroyed) and the process joins
// MPI_COMM_WORLD; sum() is an in-place MPI_Allreduce, whose result MPI gives every rank
// alike. A build without MPI (libopenmpi-dev absent at configure time) told it is one of
// several processes throws rather than let each of them train alone.
//
//   std::unique_ptr<lmk::dist::MpiGroup> group = lmk::dist::join_launched_group(n);
//   lmk::Trainer t(model, opts, dir, group.get());   // nullptr: one process
#pragma once
#include "lmk/train/collectives.h"

#include <functional>
#include <memory>

namespace lmk::dist {

class MpiGroup : public train::Collectives {
public:
    MpiGroup(); // MPI_Init_thread (funnelled: only the main thread talks to MPI)
    ~MpiGroup() override; // MPI_Finalize, unless an exception is unwinding (the job then ends)
    MpiGroup(const MpiGroup&) = delete;
    MpiGroup& operator=(const MpiGroup&) = delete;
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    int local_size() const { return local_size_; } // ranks on this machine
    void sum(float* data, size_t n) override;
    void sum(double* data, size_t n) override;
    void barrier(); // returns once every rank has called it

private:
    int rank_ = 0, size_ = 1, local_size_ = 1;
};

std::unique_ptr<MpiGroup> join_launched_group(long launched);
// The process count an MPI launcher announced in the environment `env` looks up (0: not
// started by one): Open MPI's mpirun (OMPI_COMM_WORLD_SIZE), MPICH's hydra or Slurm's PMI
// (PMI_SIZE). PMIx (srun --mpi=pmix) announces only the rank: rank R means at least R + 1
// processes (MPI reports the count once initialised).
long launched_processes(const std::function<const char*(const char*)>& env);
bool built_with_mpi();

} // namespace lmk::dist
