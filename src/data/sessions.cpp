#include "data/sessions.hpp"

#include <algorithm>
#include <filesystem>

#include "data/acn_sessions.hpp"
#include "data/council_sessions.hpp"

namespace voltpool {

namespace fs = std::filesystem;

Result<std::vector<std::string>> expand_path(const std::string& path, const std::string& suffix) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Error{path + ": no such file or folder"};
  if (!fs::is_directory(path, ec)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(path, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(e.path().string());
    }
  }
  if (ec) return Error{path + ": cannot list folder: " + ec.message()};
  if (files.empty()) return Error{path + ": folder has no " + suffix + " files"};
  std::sort(files.begin(), files.end());
  return files;
}

namespace {
enum class Format { kAcn, kCouncil };

Result<Format> detect(const std::string& path) {
  auto f = CsvFile::open(path);
  if (!f.ok()) return f.error();
  if (f->column("claimed") && f->column("estimated_departure")) return Format::kAcn;
  if (f->column("CP ID") && f->column("Start Date")) return Format::kCouncil;
  return Error{path + ":1: unknown session format (expected ACN-Data columns arrival,...,claimed or council "
                      "columns CP ID,...,Start Date)"};
}
}  // namespace

Result<SessionSet> load_sessions(const std::vector<std::string>& paths, const LoadOptions& opts, LoadStats& stats) {
  std::vector<std::string> files;
  std::vector<bool> from_folder;
  for (const auto& p : paths) {
    auto expanded = expand_path(p, ".csv");
    if (!expanded.ok()) return expanded.error();
    bool folder = expanded->size() != 1 || (*expanded)[0] != p;
    for (auto& f : *expanded) {
      files.push_back(f);
      from_folder.push_back(folder);
    }
  }
  if (files.empty()) return Error{"no session files given"};
  SessionSet merged;
  std::optional<Format> first_format;
  for (size_t f = 0; f < files.size(); ++f) {
    const std::string& file = files[f];
    auto format = detect(file);
    if (!format.ok()) {
      if (from_folder[f]) continue;  // a folder may hold other files (Dundee's charge-point locations)
      return format.error();
    }
    if (first_format && *format != *first_format) {
      return Error{file + ": a different session format from " + files.front() + "; give one data set at a time"};
    }
    first_format = *format;
    auto set = *format == Format::kAcn ? load_acn_sessions(file, opts, stats)
                                       : load_council_sessions(file, opts, stats);
    if (!set.ok()) return set.error();
    merged.site_tz = set->site_tz;
    merged.source += (merged.source.empty() ? "" : ", ") + file;
    merged.rows_skipped_open += set->rows_skipped_open;
    for (auto& s : set->sessions) merged.sessions.push_back(std::move(s));
  }
  if (!first_format) return Error{"no session files among " + files.front() + (files.size() > 1 ? ", ..." : "")};
  merged.rows_skipped_malformed = stats.rows_skipped;
  std::stable_sort(merged.sessions.begin(), merged.sessions.end(),
                   [](const RecordedSession& a, const RecordedSession& b) { return a.arrival < b.arrival; });
  return merged;
}

}  // namespace voltpool
