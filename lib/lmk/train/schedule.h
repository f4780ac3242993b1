// train/schedule.h: learning-rate schedules as pure functions of the step index.
//
// Steps count from 0 (the first optimizer step is step 0). Every schedule starts with an
// optional linear warmup: lr(s) = peak * (s + 1) / warmup for s < warmup, so the first step
// already moves. After warmup, with progress p = (s - warmup) / (total - warmup) clamped to
// [0, 1]:
//   constant:     peak
//   cosine:       min + (peak - min) * (1 + cos(pi p)) / 2
//   linear:       peak + (min - peak) * p
//   inverse_sqrt: peak * sqrt(warmup / (s + 1))  (the original Transformer's, peak at the end
//                 of warmup; with warmup = 0, peak / sqrt(s + 1)); ignores total and min.
// min_lr = peak * min_ratio.
//
//   lmk::train::Schedule sch{lmk::train::ScheduleKind::cosine, 6e-4f, 700, 5000, 0.1f};
//   float lr = sch.lr(step);
#pragma once
#include <cstdint>
#include <string>

namespace lmk::train {

enum class ScheduleKind { constant, cosine, linear, inverse_sqrt };
ScheduleKind schedule_kind_from_name(const std::string& name); // throws on unknown
const char* schedule_kind_name(ScheduleKind k);

struct Schedule {
    ScheduleKind kind = ScheduleKind::cosine;
    float peak_lr = 3e-4f;
    int64_t warmup = 0;
    int64_t total = 1;
    float min_ratio = 0.f;

    float lr(int64_t step) const;
};

} // namespace lmk::train
