// train/schedule.cpp: learning-rate schedules (formulas in schedule.h).
#include "lmk/train/schedule.h"
#include "lmk/core/error.h"

#include <algorithm>
#include <cmath>

namespace lmk::train {

ScheduleKind schedule_kind_from_name(const std::string& name) {
    for (ScheduleKind k : {ScheduleKind::constant, ScheduleKind::cosine, ScheduleKind::linear, ScheduleKind::inverse_sqrt})
        if (name == schedule_kind_name(k)) return k;
    fail("unknown learning-rate schedule '{}' (expected constant, cosine, linear or inverse_sqrt)", name);
}

const char* schedule_kind_name(ScheduleKind k) {
    switch (k) {
    case ScheduleKind::constant: return "constant";
    case ScheduleKind::cosine: return "cosine";
    case ScheduleKind::linear: return "linear";
    case ScheduleKind::inverse_sqrt: return "inverse_sqrt";
    }
    return "?";
}

float Schedule::lr(int64_t step) const {
    if (step < warmup) return float(double(peak_lr) * double(step + 1) / double(warmup));
    if (kind == ScheduleKind::inverse_sqrt)
        return float(double(peak_lr) * std::sqrt(double(std::max<int64_t>(warmup, 1)) / double(step + 1)));
    if (kind == ScheduleKind::constant) return peak_lr;
    const double min_lr = double(peak_lr) * min_ratio;
    const int64_t span = total - warmup;
    const double p = span <= 0 ? 1.0 : std::clamp(double(step - warmup) / double(span), 0.0, 1.0);
    if (kind == ScheduleKind::cosine) return float(min_lr + (peak_lr - min_lr) * 0.5 * (1 + std::cos(M_PI * p)));
    return float(peak_lr + (min_lr - peak_lr) * p);
}

} // namespace lmk::train
