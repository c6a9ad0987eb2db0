#include "flex/spread_split.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>
#include <vector>

#include "flex/spread_pass.hpp"

namespace voltpool {

bool spread_splittable(const PlanningProblem& p) {
  // Only the cars' boxes and energy ranges: anything else the planner carries is the decomposition's.
  if (p.has_feeder_limits() || p.steps > kMaxSpreadSteps || !p.guardrails.empty() ||
      !p.vehicle_wear.empty() || p.has_soft_floors() || p.hold_steps > 0 || p.shortfall_cap_kwh ||
      p.centring_eur_per_h > 0) {
    return false;
  }
  return true;
}

bool spread_discharge_splittable(const PlanningProblem& p) {
  if (!spread_splittable(p)) return false;
  const PlanVehicles& v = p.vehicles;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v.discharge_max_kw[i] <= 0 || v.window(i) < 1) continue;
    if (v.charge_max_kw[i] <= 0 || v.eta_charge[i] != 1 || v.eta_discharge[i] != 1) return false;
  }
  return true;
}

namespace {

using spread::PassSums;
using spread::Splitter;

// Solves m d = r on the active steps (the others get d = 0), m symmetric positive semi-definite: LDL^T, a
// step whose pivot falls to a billionth of its diagonal or below `floor` dropped (what it would move, the
// steps before it move already: a direction the fleet does not respond to).
std::vector<double> solve_psd(std::vector<double> m, const std::vector<double>& r,
                              const std::vector<char>& active, double floor) {
  const size_t n = r.size();
  std::vector<double> d(n, 0.0), y = r, diagonal(n);
  std::vector<char> used(n, 0);
  for (size_t k = 0; k < n; ++k) diagonal[k] = m[k * n + k];
  for (size_t k = 0; k < n; ++k) {
    if (!active[k]) continue;
    const double pivot = m[k * n + k];
    if (pivot <= std::max(floor, 1e-9 * diagonal[k])) continue;
    used[k] = 1;
    for (size_t i = k + 1; i < n; ++i) {
      if (!active[i] || m[i * n + k] == 0) continue;
      const double l = m[i * n + k] / pivot;
      for (size_t j = k + 1; j < n; ++j) m[i * n + j] -= l * m[k * n + j];
      y[i] -= l * y[k];
      m[i * n + k] = l;
    }
  }
  for (size_t k = n; k-- > 0;) {
    if (!used[k]) continue;
    double sum = y[k];
    for (size_t j = k + 1; j < n; ++j) {
      if (used[j]) sum -= m[k * n + j] * d[j];
    }
    d[k] = sum / m[k * n + k];
  }
  return d;
}

// The profile less the fleet's power, per step.
std::vector<double> residual_kw(std::span<const double> profile_kw, const PassSums& sums) {
  std::vector<double> r(profile_kw.size());
  for (size_t t = 0; t < r.size(); ++t) r[t] = profile_kw[t] - sums.fleet[t].value();
  return r;
}

double worst_of(const std::vector<double>& r) {
  double w = 0;
  for (double x : r) w = std::max(w, std::abs(x));
  return w;
}

// Newton's linear step at a pass: the fleet's Jacobian (plus damping x the most kW per step) solved for the
// residual r on the steps where some car is free (`active`; the others get 0).
std::vector<double> linear_step(const PassSums& sums, const std::vector<double>& r,
                                const std::vector<double>& most_kw, double damping,
                                std::vector<char>& active) {
  const size_t steps = r.size();
  active.assign(steps, 0);
  double diag_max = 0;
  for (size_t t = 0; t < steps; ++t) diag_max = std::max(diag_max, sums.jacobian[t * steps + t]);
  const double floor = 1e-12 * std::max(1.0, diag_max);
  for (size_t t = 0; t < steps; ++t) active[t] = sums.jacobian[t * steps + t] > floor;
  std::vector<double> damped = sums.jacobian;
  for (size_t t = 0; t < steps; ++t) damped[t * steps + t] += damping * most_kw[t];
  return solve_psd(std::move(damped), r, active, floor);
}

constexpr double kLongestStep = 100;
constexpr double kRoundingKw = 1e-3;

// Newton on the dual from z until the profile is met within tolerance_kw (true), the residual stops shrinking
// (a profile the cars cannot meet exactly) or the passes run out; z ends at the last point reached, best_z at
// the point of the least residual seen.
bool newton(const Splitter& splitter, std::span<const double> profile_kw, const std::vector<double>& most_kw,
            double tolerance_kw, int max_passes, std::vector<double>& z, std::vector<double>& best_z,
            SpreadSplit& out) {
  const size_t steps = profile_kw.size();
  // The dual's value: the spread plus z . residual (its cars' terms summed without cancelling).
  auto dual_value = [&](const PassSums& s, const std::vector<double>& at, const std::vector<double>& res) {
    double d = s.spread;
    for (size_t t = 0; t < steps; ++t) d += at[t] * res[t];
    return d;
  };
  PassSums sums = splitter.pass(z, true);
  ++out.passes;
  std::vector<double> r = residual_kw(profile_kw, sums);
  double phi = dual_value(sums, z, r);
  // Levenberg-Marquardt: the Jacobian plus damping x the most kW per step (singular where every car present
  // must meet its energy exactly: shifting all steps alike changes nothing); less after a full step, more
  // after a cut.
  double damping = 1e-9;
  // Stalled: no new best residual (by a tenth) in 16 accepted steps (Newton's residual may rise for a dozen
  // steps while the cars' free steps change: random fleets of 100,000 with partial steps and lossy chargers
  // took up to 12; one that stays is a profile the fleet cannot follow), or in 2 once it is below kRoundingKw
  // (a profile off by its rounding, which the caller closes car by car).
  int stalled = 0;
  double best = worst_of(r);
  best_z = z;
  std::vector<double> trial(steps);
  while (true) {
    out.worst_kw = worst_of(r);
    if (out.worst_kw <= tolerance_kw) return true;
    if (stalled >= (best <= kRoundingKw ? 2 : 16) || out.passes >= max_passes) return false;
    std::vector<char> active;
    std::vector<double> dz = linear_step(sums, r, most_kw, damping, active);
    // A step where no car is free, off the profile, moves to where the nearest car comes free (a little past
    // it, by the utilisation its residual asks of every car present).
    for (size_t t = 0; t < steps; ++t) {
      if (active[t] || most_kw[t] <= 0 || std::abs(r[t]) <= tolerance_kw) continue;
      const double to_kink = r[t] < 0 ? -sums.to_leave_cap[t] : sums.to_leave_low[t];
      if (std::isfinite(to_kink)) dz[t] = to_kink + std::clamp(r[t] / most_kw[t], -1.0, 1.0);
    }
    // No utilisation moves by more than kLongestStep in one step (a near-singular Jacobian's step can be
    // huge).
    double longest = 0;
    for (double d : dz) longest = std::max(longest, std::abs(d));
    if (longest > kLongestStep) {
      for (double& d : dz) d *= kLongestStep / longest;
    }
    double slope = 0;
    for (size_t t = 0; t < steps; ++t) slope += r[t] * dz[t];
    // Along dz the dual is concave and piecewise quadratic, its slope r(z + alpha dz) . dz falling from
    // `slope`: the full step if the dual still rises there (Armijo), else the slope's zero, bracketed by
    // regula falsi (Illinois), until a point raises the dual.
    if (!(slope > 0)) return false;  // no way up along it
    double lo = 0, lo_slope = slope, hi = 1, hi_slope = 0;
    bool have_hi = false, moved = false;
    int side = 0;
    for (int k = 0; k < 8 && out.passes < max_passes; ++k) {
      const double alpha = !have_hi                  ? 1.0
                           : lo_slope - hi_slope > 0 ? lo + (hi - lo) * lo_slope / (lo_slope - hi_slope)
                                                     : 0.5 * (lo + hi);
      for (size_t t = 0; t < steps; ++t) trial[t] = z[t] + alpha * dz[t];
      PassSums next = splitter.pass(trial, true);
      ++out.passes;
      std::vector<double> r_next = residual_kw(profile_kw, next);
      const double phi_next = dual_value(next, trial, r_next);
      double slope_next = 0;
      for (size_t t = 0; t < steps; ++t) slope_next += r_next[t] * dz[t];
      // Still rising at alpha (slope_next >= 0) means it rose all the way there (concave), whatever the
      // rounding of a million cars' sums says of the values.
      if (phi_next >= phi + 1e-4 * alpha * slope || slope_next >= 0) {
        const double w = worst_of(r_next);
        stalled = w > 0.9 * best ? stalled + 1 : 0;
        if (w < best) {
          best = w;
          best_z = trial;
        }
        z = trial;
        sums = std::move(next);
        r = std::move(r_next);
        phi = phi_next;
        moved = true;
        damping = k == 0 ? std::max(1e-12, damping / 10) : damping;
        break;
      }
      damping = std::min(1.0, damping * 10);
      if (slope_next > 0) {
        lo = alpha, lo_slope = slope_next;
        if (side == -1) hi_slope *= 0.5;
        side = -1;
      } else {
        hi = alpha, hi_slope = slope_next;
        have_hi = true;
        if (side == 1) lo_slope *= 0.5;
        side = 1;
      }
    }
    // No point along the step raised the dual: solved again with the damping its trials raised (a step the
    // kinks of a near-singular Jacobian blew up), until the damping is as large as the Jacobian's scale.
    if (!moved && damping >= 1) return false;
  }
}

}  // namespace

std::optional<SpreadSplit> spread_split(const PlanningProblem& p, std::span<const double> profile_kw,
                                        double tolerance_kw, SpreadDischarge discharge, int max_passes) {
  const bool discharging = discharge == SpreadDischarge::kWhereAllowed;
  if (!(discharging ? spread_discharge_splittable(p) : spread_splittable(p)) ||
      profile_kw.size() != static_cast<size_t>(p.steps)) {
    return std::nullopt;
  }
  if (!std::all_of(profile_kw.begin(), profile_kw.end(), [](double kw) { return std::isfinite(kw); })) {
    return std::nullopt;
  }
  const size_t steps = profile_kw.size();
  Splitter splitter(p, discharging);
  SpreadSplit out;
  out.plan.offset = splitter.offset();
  out.plan.kw.resize(
      out.plan.offset.back());  // unset: every pass that takes it writes every car's every step
  // Start where every step's utilisation is the profile's share of the most the cars present could draw.
  const std::vector<double> most_kw = splitter.most_kw(), most_discharge_kw = splitter.most_discharge_kw();
  std::vector<double> z(steps, 0.0);
  for (size_t t = 0; t < steps; ++t)
    z[t] = most_kw[t] > 0 ? std::clamp(profile_kw[t] / most_kw[t], -1.0, 1.0) : 0.0;
  // A step asking more than all its cars can draw, or deliver, cannot be met: no Newton for it.
  for (size_t t = 0; t < steps; ++t) {
    if (profile_kw[t] > most_kw[t] + tolerance_kw || profile_kw[t] < -most_discharge_kw[t] - tolerance_kw) {
      out.worst_kw = worst_of(residual_kw(profile_kw, splitter.pass(z, false, out.plan.kw)));
      out.passes = 1;
      return out;
    }
  }
  std::vector<double> best_z;
  if (newton(splitter, profile_kw, most_kw, tolerance_kw, max_passes, z, best_z, out)) {
    splitter.pass(z, false, out.plan.kw);  // the split itself
    ++out.passes;
  } else {
    // At the point of the least residual, each car moves by its own Jacobian times the fleet's linear step
    // (twice: the second for what the first left), which the fleet's many kinks near the solution keep
    // Newton's full steps from reaching. A residual the cars cannot take (a profile off by more, or by its
    // rounding) stays.
    PassSums at_best = splitter.pass(best_z, true, out.plan.kw);
    ++out.passes;
    std::vector<double> r = residual_kw(profile_kw, at_best), polish(steps, 0.0);
    out.worst_kw = worst_of(r);
    for (int round = 0; round < 2 && out.worst_kw > tolerance_kw; ++round) {
      std::vector<char> active;
      const std::vector<double> step = linear_step(at_best, r, most_kw, 1e-12, active);
      std::vector<double> tried = polish;
      for (size_t t = 0; t < steps; ++t) tried[t] += step[t];
      std::vector<double> r_polished =
          residual_kw(profile_kw, splitter.pass(best_z, false, out.plan.kw, &tried));
      ++out.passes;
      if (worst_of(r_polished) >= out.worst_kw) {
        splitter.pass(best_z, false, out.plan.kw, &polish);  // keep the better split
        ++out.passes;
        break;
      }
      polish = std::move(tried);
      r = std::move(r_polished);
      out.worst_kw = worst_of(r);
    }
  }
  return out;
}

}  // namespace voltpool
