// tools/passive_openmp.h: makes the process's OpenMP workers sleep, not spin, between GEMMs.
//
// Why: Debian's oneDNN runs on OpenMP (libgomp), every other kernel on oneTBB. When GEMMs ran
// on OpenMP's own workers, each idle worker spun for about 300,000 iterations after every
// GEMM with libgomp's default wait policy, holding a core the next oneTBB kernel needed (baby
// config at -j 2: 0.7-2k tokens/s against 11-23k with OMP_WAIT_POLICY=PASSIVE, loaded
// machine). The engine now makes every oneDNN call single-threaded and runs GEMM blocks on
// oneTBB (nn/gemm.cpp), so no OpenMP workers start; this stays as a guard for any OpenMP
// region that would still start some. libgomp reads its environment once, when it is loaded
// before main(), so the policy is set here and the program executes itself again, once.
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
