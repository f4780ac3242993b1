// tools/passive_openmp.h: makes the process's OpenMP workers sleep, not spin, between GEMMs.
//
// Why: Debian's oneDNN runs its GEMMs on OpenMP (libgomp), while every other kernel runs on
// oneTBB. With -j > 1 and libgomp's default wait policy, each idle OpenMP worker spins for
// about 300,000 iterations after every GEMM, holding a core the next oneTBB kernel needs; on
// a 2-core machine that halves the second thread's use (pretrain -j 2 on the baby config:
// 11-23k tokens/s with OMP_WAIT_POLICY=PASSIVE against 0.7-2k with the default, on a loaded
// machine). libgomp reads its environment once, when it is loaded before main(), so the
// policy is set here and the program executes itself again, once, with it.
// A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT is kept. If the re-execution fails, the
// program simply continues with the default policy. Used by the GEMM-heavy tools (pretrain,
// generate, eval-fewshot). Tools only: the library never reads the
// environment.
//
//   int main(int argc, char** argv) { lmk_tools::passive_openmp(argv); ... }
#pragma once
#include <cstdlib>
#include <unistd.h>

namespace lmk_tools {

inline void passive_openmp(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
    // The program as it was started (argv[0], searched in PATH as the shell did), not
    // /proc/self/exe, which under valgrind would name valgrind's own loader.
    execvp(argv[0], argv); // returns only on failure
}

} // namespace lmk_tools
