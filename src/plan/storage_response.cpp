#include "plan/storage_response.hpp"

#include <algorithm>
#include <cstring>

namespace voltpool {

namespace {

// One step of a car in stored-energy terms: it may add up to `charge_kwh` (battery side) at `charge_slope` EUR
// per stored kWh and remove up to `discharge_kwh` at `discharge_slope` (the revenue per kWh taken out). Its cost
// as a function of the energy change delta is the lower hull of the two variables' box: two segments meeting
// at `kink`, the cheaper slope first.
struct StepHull {
  double charge_kwh, discharge_kwh;  // battery side
  double low_slope, high_slope;      // EUR per stored kWh below and above the kink
  double kink;                       // 0, or charge - discharge when both at once pays (swapped slopes)
  bool swapped;

  StepHull(double charge, double discharge, double charge_slope, double discharge_slope)
      : charge_kwh(charge), discharge_kwh(discharge) {
    swapped = discharge_slope > charge_slope;
    low_slope = swapped ? charge_slope : discharge_slope;
    high_slope = swapped ? discharge_slope : charge_slope;
    kink = swapped ? charge - discharge : 0.0;
  }
};

// The cost-to-go as a start energy and segments of ascending slope, stored in [head, tail) of the scratch by
// the energy at which each ends (so the crossing of a slope is a binary search, not a sum). Energies are kept
// relative to `offset_`, so that shifting the whole function is O(1).
class CostToGo {
 public:
  CostToGo(StorageScratch& s, size_t capacity) : slope_(s.slope), end_(s.end) {
    slope_.resize(capacity);
    end_.resize(capacity);
  }

  void reset(double start) {
    start_ = start;
    offset_ = 0;
    head_ = tail_ = 0;
  }
  void shift(double by) { offset_ += by; }

  // Where the slope first reaches `slope`: the end of the last segment below it.
  double crossing(double slope) const {
    size_t pos = static_cast<size_t>(std::lower_bound(slope_.begin() + static_cast<std::ptrdiff_t>(head_),
                                                      slope_.begin() + static_cast<std::ptrdiff_t>(tail_), slope) -
                                     slope_.begin());
    return (pos == head_ ? start_ : end_[pos - 1]) + offset_;
  }

  void insert(double slope, double length) {
    if (length <= 0) return;
    size_t pos = static_cast<size_t>(std::upper_bound(slope_.begin() + static_cast<std::ptrdiff_t>(head_),
                                                      slope_.begin() + static_cast<std::ptrdiff_t>(tail_), slope) -
                                     slope_.begin());
    size_t moved = tail_ - pos;
    if (moved > 0) {
      std::memmove(&slope_[pos + 1], &slope_[pos], moved * sizeof(double));
      std::memmove(&end_[pos + 1], &end_[pos], moved * sizeof(double));
      double* later = end_.data() + pos + 1;
      for (size_t j = 0; j < moved; ++j) later[j] += length;
    }
    slope_[pos] = slope;
    end_[pos] = (pos == head_ ? start_ : end_[pos - 1]) + length;
    ++tail_;
  }

  // Adds penalty * max(0, floor - e): the segments below the floor get dearer to stay on (their slopes fall).
  void add_below(double floor, double penalty) {
    size_t pos = split_at(floor);
    for (size_t j = head_; j < pos; ++j) slope_[j] -= penalty;
  }

  // Adds a convex function of e with slope `rise` more above `at` than below it (a kink).
  void add_kink(double at, double rise) {
    size_t pos = split_at(at);
    for (size_t j = pos; j < tail_; ++j) slope_[j] += rise;
  }

  void add_slope(double by) {
    for (size_t j = head_; j < tail_; ++j) slope_[j] += by;
  }

  // The index of the first segment that starts at or above x (relative energy), splitting the one x is inside.
  size_t split_at(double x) {
    x -= offset_;
    if (x <= start_ || head_ == tail_) return head_;
    size_t pos = static_cast<size_t>(std::upper_bound(end_.begin() + static_cast<std::ptrdiff_t>(head_),
                                                      end_.begin() + static_cast<std::ptrdiff_t>(tail_), x) -
                                     end_.begin());
    if (pos < tail_ && (pos == head_ ? start_ : end_[pos - 1]) < x) {
      std::memmove(&slope_[pos + 1], &slope_[pos], (tail_ - pos) * sizeof(double));
      std::memmove(&end_[pos + 1], &end_[pos], (tail_ - pos) * sizeof(double));
      end_[pos] = x;
      ++tail_;
      ++pos;
    }
    return pos;
  }

  // Keeps the domain inside [lo, hi]: energies below lo or above hi are not allowed.
  void clip(double lo, double hi) {
    lo -= offset_;
    hi -= offset_;
    if (start_ < lo) {
      while (head_ < tail_ && end_[head_] <= lo) ++head_;
      start_ = lo;
    }
    while (head_ < tail_ && (tail_ - 1 == head_ ? start_ : end_[tail_ - 2]) >= hi) --tail_;
    if (head_ < tail_) end_[tail_ - 1] = std::min(end_[tail_ - 1], hi);
  }

 private:
  std::vector<double>& slope_;
  std::vector<double>& end_;
  double start_ = 0, offset_ = 0;
  size_t head_ = 0, tail_ = 0;
};

}  // namespace

double Centring::cost_eur(size_t k, double stored_kwh, double dt_h) const {
  return centring_step_eur(eur_per_h, dt_h, mid_kwh[k], half_kwh[k], stored_kwh);
}

CalendarKinks calendar_kinks(const VehicleWear& wear) {
  CalendarKinks k;
  std::vector<std::pair<double, double>> lines = wear.calendar_lines;
  if (lines.empty()) return k;
  std::sort(lines.begin(), lines.end());
  std::vector<std::pair<double, double>> hull;  // the lines that are the maximum somewhere, by rising slope
  for (const auto& line : lines) {
    while (!hull.empty() && hull.back().first == line.first) hull.pop_back();  // same slope: the higher one later wins
    while (hull.size() >= 2) {
      const auto& a = hull[hull.size() - 2];
      const auto& b = hull.back();
      // b is never on top if line overtakes a no later than b does.
      if ((line.second - a.second) * (b.first - a.first) >= (b.second - a.second) * (line.first - a.first)) {
        hull.pop_back();
      } else {
        break;
      }
    }
    hull.push_back(line);
  }
  k.base_slope = hull.front().first;
  for (size_t j = 1; j < hull.size(); ++j) {
    double x = (hull[j - 1].second - hull[j].second) / (hull[j].first - hull[j - 1].first);
    k.at.emplace_back(x, hull[j].first - hull[j - 1].first);
  }
  return k;
}

ResponseCost storage_response(const PlanningProblem& p, size_t i, std::span<const double> charge_price,
                              std::span<const double> discharge_revenue, double penalty, std::span<double> kw,
                              StorageScratch& s, std::span<double> discharge_kw, std::span<const double> floor_kwh,
                              double floor_penalty, const VehicleWear* wear, const CalendarKinks* kinks,
                              const Centring* centring) {
  const PlanVehicles& v = p.vehicles;
  const int w = v.window(i), first = v.first_step[i];
  const double dt = p.dt_h, eta_c = v.eta_charge[i], eta_d = v.eta_discharge[i];
  const double lo = v.e_min_kwh[i] - v.e0_kwh[i], hi = v.e_max_kwh[i] - v.e0_kwh[i];
  const double need = v.target_kwh[i] - v.e0_kwh[i];
  const double cycling = wear != nullptr ? wear->throughput_eur_per_kwh : 0.0;  // per kWh through the battery
  auto hull = [&](int k) {
    double f = v.fraction(i, k);
    int t = first + k;
    return StepHull(v.charge_max_kw[i] * f * dt * eta_c, v.discharge_max_kw[i] * f * dt / eta_d,
                    charge_price[t] / eta_c + cycling, discharge_revenue[t] * eta_d - cycling);
  };
  CalendarKinks own;
  if (wear != nullptr && kinks == nullptr) own = calendar_kinks(*wear);
  const CalendarKinks& calendar = kinks != nullptr ? *kinks : own;

  // Backward: V_w is the shortfall penalty below the target; each step inserts its two segments (in terms of
  // u = e - e', i.e. the hull mirrored) and the window clips.
  const bool floors = !floor_kwh.empty() && floor_penalty > 0;
  CostToGo V(s, (2 + (floors ? 1 : 0) + calendar.at.size() + (centring != nullptr ? 3 : 0)) * static_cast<size_t>(w) + 2);
  s.low_cross.resize(static_cast<size_t>(w));
  s.high_cross.resize(static_cast<size_t>(w));
  const double reachable_need = std::clamp(need, lo, hi);
  V.reset(lo);
  V.insert(-penalty, reachable_need - lo);
  V.insert(0.0, hi - reachable_need);
  for (int k = w - 1; k >= 0; --k) {
    if (floors) V.add_below(floor_kwh[static_cast<size_t>(k)] - v.e0_kwh[i], floor_penalty);
    if (wear != nullptr && !wear->calendar_lines.empty()) {  // calendar wear over step k at its end energy
      V.add_slope(calendar.base_slope * dt);
      for (auto [at, rise] : calendar.at) V.add_kink(at - v.e0_kwh[i], rise * dt);
    }
    if (centring != nullptr) {  // slopes -1.5, -0.5, 0.5, 1.5 times the rate, kinks at the middle and half-way out
      const size_t at = static_cast<size_t>(k);
      const double half = centring->half_kwh[at], mid = centring->mid_kwh[at] - v.e0_kwh[i];
      const double rate = centring->eur_per_h * dt / half;
      V.add_slope(-1.5 * rate);
      for (double kink : {mid - half / 2, mid, mid + half / 2}) V.add_kink(kink, rate);
    }
    StepHull h = hull(k);
    s.high_cross[static_cast<size_t>(k)] = V.crossing(-h.high_slope);
    s.low_cross[static_cast<size_t>(k)] = V.crossing(-h.low_slope);
    V.insert(-h.high_slope, h.charge_kwh - h.kink);
    V.insert(-h.low_slope, h.discharge_kwh + h.kink);
    V.shift(-h.charge_kwh);
    V.clip(lo, hi);
  }

  // Forward: from the arrival energy, each step moves towards the thresholds of the next cost-to-go.
  ResponseCost cost;
  double e = 0;
  for (int k = 0; k < w; ++k) {
    StepHull h = hull(k);
    double up = s.high_cross[static_cast<size_t>(k)] - e, down = s.low_cross[static_cast<size_t>(k)] - e;
    double delta = up > h.kink ? up : (down < h.kink ? down : h.kink);
    delta = std::clamp(delta, -h.discharge_kwh, h.charge_kwh);
    double charge, discharge;  // grid kWh
    if (!h.swapped) {
      charge = delta > 0 ? delta / eta_c : 0.0;
      discharge = delta < 0 ? -delta * eta_d : 0.0;
    } else if (delta <= h.kink) {
      discharge = h.discharge_kwh * eta_d;
      charge = std::max(0.0, (delta + h.discharge_kwh) / eta_c);
    } else {
      charge = h.charge_kwh / eta_c;
      discharge = std::max(0.0, (h.charge_kwh - delta) * eta_d);
    }
    e += delta;
    if (floors) cost.floor_eur += floor_penalty * std::max(0.0, floor_kwh[static_cast<size_t>(k)] - v.e0_kwh[i] - e);
    if (wear != nullptr) {
      cost.wear_eur += wear->calendar_eur_per_h(v.e0_kwh[i] + e) * dt + cycling * (charge * eta_c + discharge / eta_d);
    }
    if (centring != nullptr) cost.centring_eur += centring->cost_eur(static_cast<size_t>(k), v.e0_kwh[i] + e, dt);
    kw[static_cast<size_t>(k)] = (charge - discharge) / dt;
    if (!discharge_kw.empty()) discharge_kw[static_cast<size_t>(k)] = discharge / dt;
    int t = first + k;
    cost.energy_eur += p.import_price_eur_per_kwh[t] * charge -
                       (p.export_price_eur_per_kwh[t] - p.wear_eur_per_kwh) * discharge;
    cost.priced_eur += charge_price[t] * charge - discharge_revenue[t] * discharge;
  }
  cost.shortfall_kwh = std::max(0.0, need - e);
  cost.priced_eur += penalty * cost.shortfall_kwh + cost.floor_eur + cost.wear_eur + cost.centring_eur;
  return cost;
}

}  // namespace voltpool
