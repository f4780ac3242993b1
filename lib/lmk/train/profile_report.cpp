// train/profile_report.cpp: the text pretrain --profile prints (see loop.h).
#include "lmk/train/loop.h"

#include <algorithm>
#include <fmt/format.h>
#include <utility>
#include <vector>

namespace lmk {

std::string profile_report(const PhaseTimes& p) {
    if (p.steps == 0) return "pretrain: profile: no steps after the first two to report\n";
    const double n = double(p.steps);
    std::string out = fmt::format("pretrain: profile of {} steps after the first two ({:.1f} ms per step):\n", p.steps,
                                  1e3 * p.step / n);
    auto phase = [&](const char* name, double s) {
        out += fmt::format("  {:<10} {:10.3f} s {:10.2f} ms/step {:6.1f}%\n", name, s, 1e3 * s / n, 100 * s / p.step);
    };
    phase("data", p.data);
    phase("zero_grad", p.zero_grad);
    phase("forward", p.forward);
    phase("backward", p.backward);
    phase("clip", p.clip);
    phase("optimizer", p.optimizer);
    if (p.reduce > 0) phase("reduce", p.reduce); // data parallel only
    phase("other", p.step - p.data - p.zero_grad - p.forward - p.backward - p.clip - p.optimizer - p.reduce);
    out += fmt::format("  outside the steps: eval {:.3f} s, checkpoints {:.3f} s\n", p.eval, p.save);
    if (p.ops.rows().empty()) return out;
    std::vector<std::pair<std::string, nn::OpProfileRow>> ops(p.ops.rows().begin(), p.ops.rows().end());
    std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) {
        return a.second.forward + a.second.backward > b.second.forward + b.second.backward;
    });
    out += fmt::format("  {:<22} {:>10} {:>10} {:>8} {:>7}\n", "op (ms per step)", "forward", "backward", "calls", "step");
    for (const auto& [label, r] : ops)
        out += fmt::format("  {:<22} {:10.2f} {:10.2f} {:8.1f} {:6.1f}%\n", label, 1e3 * r.forward / n,
                           1e3 * r.backward / n, double(r.forward_calls) / n, 100 * (r.forward + r.backward) / p.step);
    return out;
}

} // namespace lmk
