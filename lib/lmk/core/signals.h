// core/signals.h: cooperative stop on SIGINT/SIGTERM for long jobs (training).
//
// After install_stop_handlers(), the first SIGINT or SIGTERM only sets a flag: the training
// loop finishes its step, writes a checkpoint and exits 130. A second signal restores the
// default action, so a stuck job can still be killed.
//
//   lmk::install_stop_handlers();
//   while (step < steps && !lmk::stop_requested()) { ... }
#pragma once

namespace lmk {

void install_stop_handlers();
bool stop_requested();
int stop_signal();               // the signal that asked to stop (0 if none)
void request_stop_for_test(int sig);
void clear_stop_request();

} // namespace lmk
