#pragma once
// Clean interruption of a long operation (a drain). While an InterruptGuard lives, SIGINT, SIGTERM and
// SIGHUP do not end the process on the spot: the handler records the signal and sends SIGTERM to the
// process groups of the children run_process is waiting for. run_process then ends what is left of that
// group (SIGKILL after a short grace), reaps it and throws core::Interrupted; a run_process called after
// the signal throws at once without starting anything. The operation so unwinds through its RAII
// cleanups up to the command, which records the interruption and exits 128 + signal.
//
// Cleanups may still run programs while unwinding (a destructor removing a worktree): run_process only
// refuses to start when no exception is in flight, and only a signal that arrives after a child started
// ends that child.

#include <sys/types.h>

namespace core {

class InterruptGuard {
public:
  // Installs the handlers (the outermost guard does; guards nest). A signal ignored when the guard is
  // made (nohup's SIGHUP, SIGINT of a background job) stays ignored.
  InterruptGuard();
  // The outermost guard restores the previous handlers and forgets the signal received.
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// The first signal received while a guard is active, or 0.
int interruption() noexcept;

// Throws core::Interrupted when a signal was received under the active guard.
void throw_if_interrupted();

// For run_process (core/process.cpp) only.
namespace interrupt_detail {
// How many signals the handler has seen so far: a change means a new interruption.
unsigned long signal_count() noexcept;
// Whether a guard is active (run_process then wakes up regularly to look at signal_count).
bool active() noexcept;
// Records the process group of a child being waited for, so that the handler can signal it. Returns
// a slot for unwatch, or -1 when every slot is taken (the waiting loop still ends that child).
int watch(pid_t process_group) noexcept;
void unwatch(int slot) noexcept;
// In a child between fork and exec: our handlers back to the default (exec would do the same), so
// that a signal arriving before exec ends the child instead of running the parent's handler.
void reset_in_child() noexcept;
} // namespace interrupt_detail

} // namespace core
