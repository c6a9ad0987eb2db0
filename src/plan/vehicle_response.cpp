#include "plan/vehicle_response.hpp"

#include <algorithm>
#include <numeric>

namespace voltpool {

std::vector<int> rank_steps(std::span<const double> price) {
  std::vector<int> order(price.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return price[a] < price[b]; });
  return order;
}

void WindowRankings::add(std::span<const int> ranking, int first, int end) {
  for (int t : ranking) {
    if (t >= first && t < end) steps_.push_back(t);
  }
  offset_.push_back(steps_.size());
}

ResponseCost charge_only_response(const PlanningProblem& p, size_t i, std::span<const double> price,
                                  std::span<const int> ranking, double penalty, std::span<double> kw) {
  std::fill(kw.begin(), kw.end(), 0.0);
  return charge_only_response(p, i, price, ranking, penalty, [&](int k, double x) { kw[static_cast<size_t>(k)] = x; });
}

}  // namespace voltpool
