#pragma once
// The journal of an interrupted accept: what the drain (recover) and review both finish, declared apart
// from review so that the drain does not include review (review runs drains; the drain only finishes a
// killed accept's record). Implemented in loop/accept_journal.cpp with the pieces it shares with accept
// (loop/accept_files.hpp).

#include "loop/context.hpp"

#include <optional>
#include <string>

namespace loop {

// Finishes an accept that was interrupted (killed) after it moved the branch: records its verdict and,
// when `write_files`, brings the fixed files into the work tree and index, each only while it still
// holds its version from before the accept (anything else the user did wins, and is left alone).
// Accept writes a journal before it creates anything; a journal whose commit never reached the branch
// is dropped with what it left (its temporary files, its own index lock). An accept running right now is
// never "finished" (one lock for both). Without `write_files` (the drain) only the verdict is recorded:
// the index lock stays, so no commit of the user's can take the old index before a review finishes.
// Returns what was done, or nullopt when there was nothing to finish. Throws queue::Error.
std::optional<std::string> finish_interrupted_accept(Context& ctx, bool write_files);

} // namespace loop
