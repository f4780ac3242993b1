// core/signals.h: cooperative stop on SIGINT/SIGTERM/SIGUSR1 for long jobs (training).
//
// After install_stop_handlers(), the first SIGINT, SIGTERM or SIGUSR1 only sets a flag: the
// training loop finishes its step, writes a checkpoint and exits 130. A second signal restores
// the default action, so a stuck job can still be killed. SIGUSR1 is the one batch systems
// send ahead of a time limit (Slurm's --signal=USR1@60) and the one Open MPI's mpirun passes
// on to every rank without killing them a moment later, as it does after SIGINT/SIGTERM.
//
//   lmk::install_stop_handlers();
//   while (step < steps && !lmk::stop_requested()) { ... }
#pragma once

namespace lmk {

void install_stop_handlers();
extern const int kStopSignals[3]; // SIGINT, SIGTERM, SIGUSR1
bool stop_requested();
int stop_signal();               // the signal that asked to stop (0 if none)
void request_stop_for_test(int sig);
void clear_stop_request();

} // namespace lmk
