// PJM's regulation performance score (Manual 12; models.md §3.1) on 10-second samples of an hour:
// accuracy = the correlation of signal and response at the delay δ (0 to 5 min in 10-s steps) that maximises
// accuracy + delay score, delay = |δ - 5 min| / 5 min, precision = 1 - mean |response - signal| / mean |signal|
// (the mean of |signal| over the hour: RegD is energy-neutral, its signed mean ~ 0), each clipped to [0, 1],
// composite = their mean. Precision compares response and signal at the same instant (no latency shift).
#pragma once

#include <span>

namespace voltpool {

struct PjmScore {
  double accuracy = 0;
  double delay = 0;
  double precision = 0;
  double composite = 0;
  double delay_s = 0;  // the chosen δ
};

// signal: the hour's n samples; response: the same instants, and up to 30 more after them (so the delay
// search can look 5 minutes ahead). Requires n >= 2 and response.size() >= n.
PjmScore pjm_score(std::span<const double> signal, std::span<const double> response, double sample_s = 10.0);

}  // namespace voltpool
