// The REST API's signals: the day-ahead prices (EUR/kWh) and the marginal emissions (kg CO2/kWh) the service
// plans with. GET shows the series in force (files overlaid by what was posted); POST lays a series over it,
// stored before it is answered.
#include "ocpp/csms/context.hpp"
#include "server/api_json.hpp"
#include "server/http_api.hpp"

namespace voltpool::server {

using nlohmann::json;

HttpResponse HttpApi::signal(SignalKind kind, const HttpRequest& request, bool operator_) const {
  const bool prices = kind == SignalKind::prices;
  const std::string key = prices ? "eur_per_kwh" : "kg_per_kwh";
  if (request.method == "GET") {
    auto series = signals_.current(kind);
    if (!series)
      return error(404, prices ? "no prices loaded (the cars charge as early as possible)" : "no carbon signal loaded");
    json out = {{"start", format_utc(series->start)}, {"step_s", series->step.count()}, {key, series->values}};
    if (!prices) out["carbon_price_eur_per_t"] = bridge_.carbon_price_eur_per_t();
    return json_response(200, out);
  }
  if (request.method != "POST") return error(405, "GET or POST");
  if (!operator_) return error(403, "this resource is for operators");
  auto series = series_from_json(request.body, key, prices ? 100.0 : 10.0);
  if (!series) return error(400, series.error().message);
  if (auto s = signals_.acceptable(kind, *series); !s) return error(400, s.error().message);
  if (auto s = signals_.post(kind, *series, ocpp::utc_now()); !s) return error(500, s.error().message);
  return json_response(200, {{"accepted", series->values.size()}});
}

}  // namespace voltpool::server
