#include "server/signal_book.hpp"

#include <spdlog/spdlog.h>

namespace voltpool::server {

const char* signal_name(SignalKind kind) { return kind == SignalKind::prices ? "prices" : "carbon"; }

SignalBook::SignalBook(store::Store& store, FleetBridge& bridge) : store_(store), bridge_(bridge) {
  for (SignalKind kind : {SignalKind::prices, SignalKind::carbon}) {
    accepted_[kind] = store_.signals(signal_name(kind));
    if (accepted_[kind].empty()) continue;
    auto series = merged(kind, std::nullopt);
    if (!series) {
      spdlog::error("stored {} series cannot be combined: {}", signal_name(kind), series.error().message);
      continue;
    }
    put_in_force(kind, std::move(series).value());
  }
}

Result<std::optional<TimeSeries>> SignalBook::merged(SignalKind kind, const std::optional<TimeSeries>& extra) const {
  std::optional<TimeSeries> out;
  if (auto it = file_.find(kind); it != file_.end()) out = it->second;
  auto lay = [&](const TimeSeries& top) -> Status {
    if (!out) {
      out = top;
      return ok_status();
    }
    auto o = overlay(*out, top);
    if (!o) return o.error();
    out = std::move(o).value();
    return ok_status();
  };
  if (auto it = accepted_.find(kind); it != accepted_.end())
    for (const auto& series : it->second)
      if (auto s = lay(series); !s) return s.error();
  if (extra)
    if (auto s = lay(*extra); !s) return s.error();
  return out;
}

void SignalBook::put_in_force(SignalKind kind, std::optional<TimeSeries> series) {
  if (kind == SignalKind::prices)
    bridge_.set_prices(std::move(series));
  else
    bridge_.set_carbon(std::move(series));
}

Status SignalBook::set_file(SignalKind kind, std::optional<TimeSeries> series) {
  std::lock_guard lock(mutex_);
  auto previous = std::exchange(file_[kind], std::move(series));
  auto combined = merged(kind, std::nullopt);
  if (!combined) {
    file_[kind] = std::move(previous);
    return combined.error();
  }
  put_in_force(kind, std::move(combined).value());
  return ok_status();
}

Status SignalBook::acceptable(SignalKind kind, const TimeSeries& series) const {
  std::lock_guard lock(mutex_);
  auto combined = merged(kind, series);
  if (!combined) return combined.error();
  return ok_status();
}

Status SignalBook::post(SignalKind kind, const TimeSeries& series, UtcTime now) {
  std::lock_guard lock(mutex_);
  auto combined = merged(kind, series);  // checked before it is stored: a series that cannot combine is refused
  if (!combined) return combined.error();
  if (auto stored = store_.add_signal(signal_name(kind), series, now); !stored) return stored;
  accepted_[kind].push_back(series);
  put_in_force(kind, std::move(combined).value());
  return ok_status();
}

std::optional<TimeSeries> SignalBook::current(SignalKind kind) const {
  return kind == SignalKind::prices ? bridge_.prices() : bridge_.carbon();
}

}  // namespace voltpool::server
