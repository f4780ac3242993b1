// train/collectives.h: what data-parallel training asks of its group of processes.
//
// A Trainer given a group (DESIGN.md §5: mpirun/srun, one process per rank; lib/lmk/dist
// provides the MPI group) splits each optimizer step's micro-batches over the ranks: rank r
// computes micro-batches r, r + W, r + 2W, ... of the step (W = size()), every rank reads the
// same data stream and skips the others' batches, so the data position, the dropout masks and
// the checkpoint are the same as one process with the same --grad-accum. Gradients and losses
// are summed over ranks after the backward passes; every rank then holds the same gradients
// and makes the same update, so the weights stay identical without being sent. The result
// equals one process's up to the order of the gradient sums' additions.
//
// sum() must give every rank the same values (same bits), and the same bits again on a rerun
// with the same ranks.
//
//   class MyGroup : public lmk::train::Collectives { ... };
//   lmk::Trainer t(model, opts, dir, &group);
#pragma once
#include <cstddef>

namespace lmk::train {

class Collectives {
public:
    virtual ~Collectives() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Element-wise sums over every rank, in place.
    virtual void sum(float* data, size_t n) = 0;
    virtual void sum(double* data, size_t n) = 0;
};

} // namespace lmk::train
