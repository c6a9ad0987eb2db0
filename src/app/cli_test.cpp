// The voltpool command line end to end: real data in, files and exit codes out.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "data/fleet_day_files.hpp"
#include "data/testing.hpp"
#include "sim/schedule_metrics.hpp"

namespace voltpool {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CliRun run(const std::string& args) {
  fs::path err_file = fs::temp_directory_path() / ("voltpool_cli_err_" + std::to_string(::getpid()));
  std::string cmd = std::string(VOLTPOOL_BINARY) + " " + args + " 2>" + err_file.string();
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  fs::remove(err_file);
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rows of a CSV without quoted fields.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> row;
    std::stringstream fields(line);
    std::string f;
    while (std::getline(fields, f, ',')) row.push_back(f);
    rows.push_back(row);
  }
  return rows;
}

const std::string kPrices =
    "data/prices/smard_de_eu_2023_2024/Gro_handelspreise_202301010000_202501010000_Stunde.csv";

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

fs::path out_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("voltpool_cli_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  return d;
}

TEST(Cli, SimulateWritesSummaryVehiclesAndReport) {
  fs::path out = out_dir("sim");
  CliRun r = run("simulate --sessions " + testing::shared_path("data/ev_sessions/dundee/cp-data-mar-may-2018.csv") +
              " --prices " + testing::shared_path(kPrices) + " --zone NL --from 2024-04-08 --days 3 --strategy "
              "price-greedy --vehicle nissan-leaf-40 --lenient --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("report: " + out.string() + "/report.html"), std::string::npos) << r.out;
  auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  for (const char* field : {"vehicles", "sessions", "energy_requested_kwh", "energy_delivered_kwh", "pct_demand_met",
                            "vehicles_fully_served", "cost_eur", "peak_kw", "wall_s"}) {
    EXPECT_TRUE(summary.contains(field)) << field;
  }
  EXPECT_FALSE(summary.contains("co2_kg"));  // no carbon given
  EXPECT_GT(summary["sessions"].get<int>(), 100);
  EXPECT_LT(summary["cost_eur"].get<double>(), summary["baseline"]["cost_eur"].get<double>());
  std::string csv = slurp(out / "vehicles.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), summary["sessions"].get<int>() + 1);
  std::string html = slurp(out / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);  // self-contained
  EXPECT_NE(html.find("SMARD"), std::string::npos);
  fs::remove_all(out);
}

TEST(Cli, SimulateWithCarbonReportsCo2) {
  fs::path out = out_dir("carbon");
  CliRun r = run("simulate --sessions " +
              testing::shared_path("data/ev_sessions/acn_caltech_jpl/acn_caltech_2019-05-01_2019-08-31.csv") +
              " --prices " + testing::shared_path(kPrices) + " --carbon " +
              testing::shared_path("data/carbon/caiso_sce_moer_2019") +
              " --from 2024-06-03 --days 2 --strategy uncontrolled --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_GT(summary["co2_kg"].get<double>(), 0);
  EXPECT_FALSE(summary.contains("baseline"));
  fs::remove_all(out);
}

TEST(Cli, MalformedFileIsOneLineNamingFileLineFieldAndExitTwo) {
  testing::TempFile bad("cli_bad.csv",
                        "CP ID,Connector,Start Date,Start Time,End Date,End Time,Total kWh,Site,Model\n"
                        "51519,2,31/08/2017,22:12,31/08/2017,23:11,18.27,Perth,APT Triple Rapid Charger\n"
                        "51519,2,31/08/2017,22:12,31/08/2017,23:11,-4,Perth,APT Triple Rapid Charger\n");
  fs::path out = out_dir("bad");
  CliRun r = run("simulate --sessions " + bad.path() + " --prices " + testing::shared_path(kPrices) +
              " --from 2024-06-03 --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "voltpool simulate: " + bad.path() +
                       ":3: field 'Total kWh': expected a non-negative energy in kWh, got '-4'\n");
  EXPECT_FALSE(fs::exists(out / "summary.json"));
}

TEST(Cli, LenientSkipsAndCountsMalformedRows) {
  std::string rows = "CP ID,Connector,Start Date,Start Time,End Date,End Time,Total kWh,Site,Model\n";
  for (int d = 11; d < 18; ++d) {  // Monday 11 June 2018 to Sunday 17 June
    rows += "51519,2," + std::to_string(d) + "/06/2018,08:00," + std::to_string(d) + "/06/2018,12:00,20,P,APT 7kW Dual Outlet\n";
  }
  rows += "51519,2,12/06/2018,09:00,12/06/2018,10:00,oops,P,APT 7kW Dual Outlet\n";
  testing::TempFile bad("cli_lenient.csv", rows);
  fs::path out = out_dir("lenient");
  CliRun r = run("simulate --sessions " + bad.path() + " --prices " + testing::shared_path(kPrices) +
              " --from 2024-06-10 --days 7 --lenient --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(summary["sessions"].get<int>(), 7);
  EXPECT_EQ(summary["inputs"]["rows skipped (malformed)"].get<std::string>(), "1");
  fs::remove_all(out);
}

TEST(Cli, BadFlagsExitTwo) {
  EXPECT_EQ(run("simulate --sessions x --prices y --from 2024-13-01 --out /tmp/x").exit_code, 2);
  EXPECT_EQ(run("schedule --evs x").exit_code, 2);
  CliRun r = run("simulate --sessions " + testing::shared_path("data/ev_sessions/dundee/cpdata.csv") + " --prices " +
              testing::shared_path(kPrices) + " --zone XX --from 2024-06-03 --out /tmp/x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown price zone 'XX'"), std::string::npos);
}

// The metrics line agrees with an independent evaluation of the schedule file it wrote.
TEST(Cli, ScheduleMetricsMatchTheWrittenSchedule) {
  fs::path out = out_dir("schedule.csv");
  std::string evs_path = testing::shared_path("bench/scenarios/evs_N100_s42.csv");
  std::string prices_path = testing::shared_path("bench/scenarios/prices.csv");
  for (const char* strategy : {"uncontrolled", "price-greedy"}) {
    CliRun r = run("schedule --evs " + evs_path + " --prices " + prices_path + " --strategy " + strategy + " --out " +
                out.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto line = nlohmann::json::parse(r.out);
    LoadStats s1, s2;
    auto evs = *load_fleet_day_evs(evs_path, {}, s1);
    auto prices = *load_step_prices(prices_path, {}, s2);
    std::vector<double> kw(evs.size() * prices.size(), 0);
    std::ifstream in(out);
    std::string header, row;
    std::getline(in, header);
    EXPECT_EQ(header, "id,step,kw");
    while (std::getline(in, row)) {
      int id, step;
      double p;
      ASSERT_EQ(std::sscanf(row.c_str(), "%d,%d,%lf", &id, &step, &p), 3) << row;
      kw[static_cast<size_t>(id) * prices.size() + static_cast<size_t>(step)] = p;
    }
    auto m = evaluate_schedule(evs, prices, 400, kw, 0.25, false);
    EXPECT_NEAR(line["cost_eur"].get<double>(), m.cost_eur, 1e-3) << strategy;
    EXPECT_NEAR(line["delivered_kwh"].get<double>(), m.delivered_kwh, 1e-5) << strategy;
    EXPECT_EQ(line["violations"].get<int>(), 0) << strategy;
    EXPECT_NEAR(line["pct_of_feasible"].get<double>(), 100, 1e-6) << strategy;
  }
  fs::remove_all(out);
}

TEST(Cli, DegradePrintsTheFadeCurve) {
  testing::TempFile profile("p2.csv", "hour,soc\n0,0.4\n4,0.9\n7,0.9\n8,0.8\n17,0.8\n18,0.7\n21,0.4\n24,0.4\n");
  CliRun r = run("degrade --model NMC_Gr_75Ah_A --soc-profile " + profile.path() + " --temp-c 25 --years 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], "NMC_Gr_75Ah_A");
  std::vector<int> days;
  for (const auto& p : j["points"]) days.push_back(p["day"].get<int>());
  EXPECT_EQ(days, (std::vector<int>{30, 91, 182, 365, 730}));
  EXPECT_NEAR(j["points"][3]["q"].get<double>(), 0.985087, 5e-4);  // blast_reference.csv, P2 at 25 °C
  EXPECT_NEAR(j["points"][3]["efc"].get<double>(), 182.5, 1e-9);
}

TEST(Cli, DegradeRejectsABadProfileOrModel) {
  testing::TempFile bad("bad_profile.csv", "hour,soc\n0,0.4\n12,1.4\n24,0.4\n");
  CliRun r = run("degrade --model NMC_Gr_75Ah_A --soc-profile " + bad.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "voltpool degrade: " + bad.path() + ":3: field 'soc': expected a state of charge in [0, 1], got '1.4'\n");
  testing::TempFile ok("ok_profile.csv", "hour,soc\n0,0.5\n24,0.5\n");
  r = run("degrade --model Unobtainium --soc-profile " + ok.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("known models: NMC_Gr_75Ah_A"), std::string::npos);
}

TEST(Cli, FlexWritesTheEnvelope) {
  fs::path out = out_dir("flex.json");
  CliRun r = run("flex --evs " + testing::shared_path("bench/scenarios/evs_N100_s42.csv") + " --from 40 --hours 2 --out " +
                 out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(slurp(out));
  ASSERT_EQ(j["steps"].size(), 8u);
  EXPECT_EQ(j["steps"][0]["step"], 40);
  for (const auto& s : j["steps"]) {
    EXPECT_LE(s["up_kw"].get<double>(), 400.0 + 1e-9);  // never beyond the site
    EXPECT_LE(s["down_kw"].get<double>(), s["up_kw"].get<double>());
    EXPECT_LE(s["energy_lo_kwh"].get<double>(), s["energy_hi_kwh"].get<double>() + 1e-9);
  }
  fs::remove(out);
}

// A profile the fleet can follow splits back onto the cars (exit 0, sums within 1e-6 kW); one it cannot is
// refused with exit 3, the first step it cannot follow and the nearest profile it can.
TEST(Cli, DisaggregateSplitsOrRefuses) {
  std::string evs = testing::shared_path("bench/scenarios/evs_N100_s42.csv");
  fs::path schedule = out_dir("sched.csv"), split = out_dir("split.csv");
  ASSERT_EQ(run("schedule --evs " + evs + " --prices " + testing::shared_path("bench/scenarios/prices.csv") +
                " --solver exact --out " + schedule.string()).exit_code, 0);
  std::vector<double> profile(96, 0.0);
  {
    std::ifstream in(schedule);
    std::string row;
    std::getline(in, row);
    while (std::getline(in, row)) {
      int id, step;
      double kw;
      ASSERT_EQ(std::sscanf(row.c_str(), "%d,%d,%lf", &id, &step, &kw), 3);
      profile[static_cast<size_t>(step)] += kw;
    }
  }
  auto write_profile = [&](const std::string& name, const std::vector<double>& kw) {
    std::string text = "step,kw\n";
    for (size_t t = 0; t < kw.size(); ++t) text += std::to_string(t) + "," + fmt_double(kw[t]) + "\n";
    return std::make_unique<testing::TempFile>(name, text);
  };
  auto good = write_profile("good_profile.csv", profile);
  CliRun ok = run("disaggregate --g2v --evs " + evs + " --profile " + good->path() + " --out " + split.string());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::vector<double> sum(96, 0.0);
  {
    std::ifstream in(split);
    std::string row;
    std::getline(in, row);
    EXPECT_EQ(row, "id,step,kw");
    while (std::getline(in, row)) {
      int id, step;
      double kw;
      ASSERT_EQ(std::sscanf(row.c_str(), "%d,%d,%lf", &id, &step, &kw), 3);
      sum[static_cast<size_t>(step)] += kw;
    }
  }
  for (size_t t = 0; t < 96; ++t) EXPECT_NEAR(sum[t], profile[t], 1e-6) << t;
  profile[10] = 399;  // within the 400 kW site, more than the cars plugged in at step 10 can take
  auto bad = write_profile("bad_profile.csv", profile);
  CliRun refused = run("disaggregate --g2v --evs " + evs + " --profile " + bad->path() + " --out " + split.string());
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("first at step 10"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(split.string() + ".nearest.csv"));
  profile[10] = 450;  // beyond the site itself
  auto over = write_profile("over_profile.csv", profile);
  CliRun beyond = run("disaggregate --g2v --evs " + evs + " --profile " + over->path() + " --out " + split.string());
  EXPECT_EQ(beyond.exit_code, 3);
  EXPECT_NE(beyond.err.find("at step 10, beyond the site limit of 400.000 kW"), std::string::npos) << beyond.err;
  profile[10] = 400 + 1e-8;  // a rounding error above the limit is the limit, not beyond it
  auto rounding = write_profile("rounding_profile.csv", profile);
  CliRun at_limit = run("disaggregate --g2v --evs " + evs + " --profile " + rounding->path() + " --out " + split.string());
  EXPECT_EQ(at_limit.err.find("beyond the site limit"), std::string::npos) << at_limit.err;
  fs::remove(schedule);
  fs::remove(split);
  fs::remove(split.string() + ".nearest.csv");
}

// The published thousand cars, all of which may discharge, follow their own fast V2G plan's profile (summed
// from the schedule file): exit 0, the split sums to it within 1e-6 kW, cars discharging where the plan has
// the fleet deliver.
TEST(Cli, DisaggregateSplitsAV2gProfile) {
  const std::string evs = testing::shared_path("bench/scenarios/evs_N1000_s42.csv");
  fs::path schedule = out_dir("v2g_sched.csv"), split = out_dir("v2g_split.csv");
  ASSERT_EQ(run("schedule --evs " + evs + " --prices " + testing::shared_path("bench/scenarios/prices.csv") +
                " --solver fast --v2g --out " + schedule.string()).exit_code, 0);
  auto sum_file = [](const fs::path& file, int& discharging) {
    std::vector<double> sum(96, 0.0);
    std::ifstream in(file);
    std::string row;
    std::getline(in, row);
    discharging = 0;
    while (std::getline(in, row)) {
      int id, step;
      double kw;
      if (std::sscanf(row.c_str(), "%d,%d,%lf", &id, &step, &kw) != 3) continue;
      sum[static_cast<size_t>(step)] += kw;
      discharging += kw < 0;
    }
    return sum;
  };
  int planned_discharging = 0, split_discharging = 0;
  const std::vector<double> profile = sum_file(schedule, planned_discharging);
  ASSERT_GT(planned_discharging, 0);
  std::string text = "step,kw\n";
  for (size_t t = 0; t < profile.size(); ++t) text += std::to_string(t) + "," + fmt_double(profile[t]) + "\n";
  testing::TempFile profile_file("v2g_profile.csv", text);
  CliRun r = run("disaggregate --evs " + evs + " --profile " + profile_file.path() + " --out " + split.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<double> sum = sum_file(split, split_discharging);
  for (size_t t = 0; t < 96; ++t) EXPECT_NEAR(sum[t], profile[t], 1e-6) << t;
  EXPECT_GT(split_discharging, 0);
  fs::remove(schedule);
  fs::remove(split);
}

// A thousand planned cars follow an hour of a generated RegD-like signal with 5 % of them falling silent or
// leaving early: the PJM composite stays high and no owner misses their target because of regulation.
TEST(Cli, TrackFollowsARegulationSignal) {
  fs::path out = out_dir("track");
  CliRun r = run("track --evs " + testing::shared_path("bench/scenarios/evs_N1000_s42.csv") +
                 " --start-step 40 --capacity-kw 1000 --dropout-pct 5 --signal-seed 99 --seed 5 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto score = nlohmann::json::parse(slurp(out / "score.json"));
  EXPECT_GE(score["composite"].get<double>(), 0.9);
  EXPECT_EQ(score["cars_missed_target"].get<int>(), 0);
  EXPECT_GT(score["cars_silent"].get<int>() + score["cars_left_early"].get<int>(), 20);
  std::string csv = slurp(out / "response.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), score["cycles"].get<int>() + 1);
  fs::remove_all(out);
}

TEST(Cli, TrackFollowsFrequencyByDroop) {
  std::string rows = "t_s,frequency_hz\n";
  for (int t = 0; t < 1800; t += 10) rows += std::to_string(t) + "," + (t < 600 ? "50.000" : t < 1200 ? "49.900" : "50.100") + "\n";
  testing::TempFile freq("freq.csv", rows);
  fs::path out = out_dir("fcr");
  CliRun r = run("track --evs " + testing::shared_path("bench/scenarios/evs_N1000_s42.csv") + " --signal " + freq.path() +
                 " --start-step 40 --capacity-kw 500 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "response.csv");
  std::string line;
  std::getline(in, line);
  int checked = 0;
  while (std::getline(in, line)) {
    double t, s, resp;
    ASSERT_EQ(std::sscanf(line.c_str(), "%lf,%lf,%lf", &t, &s, &resp), 3);
    if (t < 600) {
      EXPECT_EQ(s, 0.0);  // inside the deadband
    }
    if (t >= 610 && t < 1200) {
      EXPECT_NEAR(s, -250, 1e-6);  // -100 mHz: half of 500 kW less
    }
    if (t >= 1210 && t < 1790) {
      EXPECT_NEAR(s, 250, 1e-6);
      EXPECT_NEAR(resp, s, 5.0) << t;  // followed within 1 %
      ++checked;
    }
  }
  EXPECT_GT(checked, 200);
  auto score = nlohmann::json::parse(slurp(out / "score.json"));
  EXPECT_GT(score["fcr"]["activation_time_s_max"].get<double>(), 0);
  EXPECT_LE(score["fcr"]["activation_time_s_max"].get<double>(), 30);  // full activation within 30 s
  EXPECT_EQ(score["fcr"]["activations"].get<int>(), 2);                // the two frequency steps
  EXPECT_EQ(score["fcr"]["activations_missed"].get<int>(), 0);
  EXPECT_GE(score["fcr"]["full_activation_minutes"].get<double>(), 15);
  fs::remove_all(out);
}

// With a cell model, the optimal strategy plans with wear and the summary reports each vehicle's state of health
// under both runs with the full model: smart charging (later, at lower SoC) wears the batteries no more than
// uncontrolled charging; owners.csv has one row per vehicle whose net is its saving less its extra wear.
TEST(Cli, SimulateReportsBatteryWear) {
  fs::path out = out_dir("wear");
  CliRun r = run("simulate --sessions " +
                 testing::shared_path("data/ev_sessions/acn_caltech_jpl/acn_caltech_2019-05-01_2019-08-31.csv") +
                 " --prices " + testing::shared_path(kPrices) +
                 " --from 2024-06-03 --days 2 --strategy optimal --know-departures --wear-model NMC_Gr_75Ah_A --out " +
                 out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  ASSERT_TRUE(summary.contains("wear"));
  const auto& w = summary["wear"];
  EXPECT_GT(w["battery_wear_eur"].get<double>(), 0);
  EXPECT_LE(w["battery_wear_eur"].get<double>(), w["baseline_battery_wear_eur"].get<double>() + 1e-6);
  EXPECT_LE(w["capacity_loss_pct_mean"].get<double>(), w["baseline_capacity_loss_pct_mean"].get<double>() + 1e-9);
  EXPECT_GT(w["capacity_loss_after_years_pct_mean"].get<double>(), w["capacity_loss_pct_mean"].get<double>());
  EXPECT_GT(w["vehicles_better_off_net_of_wear"].get<int>(), 0);
  // The convex form lies below the model's calendar rate (a minorant), and not far below it on real plans.
  double form = w["planner_form"]["calendar_eur"].get<double>(), model = w["planner_form"]["model_calendar_eur"].get<double>();
  EXPECT_LE(form, model + 1e-9);
  EXPECT_GT(form, 0.8 * model);
  EXPECT_NE(slurp(out / "report.html").find("Battery wear (NMC_Gr_75Ah_A"), std::string::npos);
  auto owners = csv_rows(slurp(out / "owners.csv"));
  ASSERT_EQ(owners.size(), w["vehicles"].get<size_t>() + 1);
  double net = 0;
  for (size_t k = 1; k < owners.size(); ++k) {
    EXPECT_NEAR(std::stod(owners[k][9]), std::stod(owners[k][5]) - std::stod(owners[k][8]), 1e-3);
    net += std::stod(owners[k][9]);
  }
  EXPECT_NEAR(net, w["net_saving_after_wear_eur"].get<double>(), 0.01 * static_cast<double>(owners.size()));
  // Planned with the flat rate only (the decomposition), judged by the model all the same.
  CliRun flat = run("simulate --sessions " +
                    testing::shared_path("data/ev_sessions/acn_caltech_jpl/acn_caltech_2019-05-01_2019-08-31.csv") +
                    " --prices " + testing::shared_path(kPrices) +
                    " --from 2024-06-03 --days 2 --strategy optimal-v2g --know-departures --wear-model NMC_Gr_75Ah_A"
                    " --plan-wear flat --vehicle polestar-3 --out " + out.string());
  ASSERT_EQ(flat.exit_code, 0) << flat.err;
  auto flat_summary = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(flat_summary["inputs"]["wear planned with"], "the flat rate");
  EXPECT_GT(flat_summary["wear"]["battery_wear_eur"].get<double>(), 0);
  EXPECT_GT(flat_summary["grid_export_kwh"].get<double>(), 0);
  CliRun bad = run("simulate --sessions " + testing::shared_path("data/ev_sessions/dundee/cpdata.csv") + " --prices " +
                   testing::shared_path(kPrices) + " --from 2024-06-03 --wear-model Nope --out " + out.string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--wear-model: unknown model 'Nope'"), std::string::npos) << bad.err;
  fs::remove_all(out);
}

// flex also reads real sessions: the day's cars at a workplace, re-dated onto the price calendar.
TEST(Cli, FlexOnRealSessions) {
  fs::path out = out_dir("flex_real.json");
  CliRun r = run("flex --evs " + testing::shared_path("data/ev_sessions/acn_caltech_jpl/acn_jpl_2019-05-01_2019-08-31.csv") +
                 " --prices " + testing::shared_path(kPrices) + " --date 2024-06-04 --from 32 --hours 2 --g2v --out " +
                 out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(slurp(out));
  EXPECT_GT(j["vehicles"].get<int>(), 20);
  ASSERT_EQ(j["steps"].size(), 8u);
  double up = 0;
  for (const auto& s : j["steps"]) {
    EXPECT_GE(s["down_kw"].get<double>(), -1e-9);  // charge-only: nothing to deliver
    up = std::max(up, s["up_kw"].get<double>());
  }
  EXPECT_GT(up, 50);  // a workplace at 8 in the morning can absorb a lot
  CliRun missing = run("flex --evs " + testing::shared_path("data/ev_sessions/dundee/cpdata.csv") + " --out " + out.string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("need --prices and --date"), std::string::npos);
  fs::remove(out);
}

}  // namespace
}  // namespace voltpool
