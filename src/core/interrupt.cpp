#include "core/interrupt.hpp"

#include "core/error.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>

namespace core {

namespace {

constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr int k_signal_count = sizeof k_signals / sizeof k_signals[0];
// Children waited for at once: one per thread that runs a program; far more than the loop uses.
constexpr int k_slots = 32;

// Everything the handler touches is a lock-free atomic or a sig_atomic_t: no allocation, no locks.
static_assert(std::atomic<pid_t>::is_always_lock_free);
static_assert(std::atomic<unsigned long>::is_always_lock_free);
std::atomic<pid_t> g_watched[k_slots];
std::atomic<unsigned long> g_count{0};
volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_active = 0;

// Guards are made and destroyed by the main thread (the commands), never concurrently.
int g_depth = 0;
struct sigaction g_previous[k_signal_count];
bool g_installed[k_signal_count] = {};

extern "C" void on_interrupt(int signal) {
  const int saved_errno = errno;
  if (!g_signal) g_signal = signal;
  g_count.fetch_add(1);
  for (auto& slot : g_watched) {
    const pid_t group = slot.load();
    if (group > 0) ::kill(-group, SIGTERM);
  }
  errno = saved_errno;
}

} // namespace

InterruptGuard::InterruptGuard() {
  if (g_depth++ > 0) return;
  g_signal = 0;
  g_active = 1;
  for (int i = 0; i < k_signal_count; ++i) {
    g_installed[i] = false;
    struct sigaction current {};
    if (::sigaction(k_signals[i], nullptr, &current) != 0) continue;
    if (current.sa_handler == SIG_IGN) continue; // ignored on purpose by whoever started us
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // Restarted system calls keep SQLite and file I/O out of it; poll() returns EINTR regardless.
    action.sa_flags = SA_RESTART;
    if (::sigaction(k_signals[i], &action, &g_previous[i]) == 0) g_installed[i] = true;
  }
}

InterruptGuard::~InterruptGuard() {
  if (--g_depth > 0) return;
  for (int i = 0; i < k_signal_count; ++i)
    if (g_installed[i]) {
      ::sigaction(k_signals[i], &g_previous[i], nullptr);
      g_installed[i] = false;
    }
  g_active = 0;
  g_signal = 0;
}

int interruption() noexcept { return g_signal; }

void throw_if_interrupted() {
  if (int signal = g_signal) throw Interrupted(signal);
}

namespace interrupt_detail {

unsigned long signal_count() noexcept { return g_count.load(); }

bool active() noexcept { return g_active != 0; }

int watch(pid_t process_group) noexcept {
  for (int i = 0; i < k_slots; ++i) {
    pid_t expected = 0;
    if (g_watched[i].compare_exchange_strong(expected, process_group)) return i;
  }
  return -1;
}

void unwatch(int slot) noexcept {
  if (slot >= 0 && slot < k_slots) g_watched[slot].store(0);
}

void reset_in_child() noexcept {
  for (int i = 0; i < k_signal_count; ++i)
    if (g_installed[i]) ::signal(k_signals[i], SIG_DFL);
}

} // namespace interrupt_detail

} // namespace core
