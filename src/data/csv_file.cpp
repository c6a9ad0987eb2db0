#include "data/csv_file.hpp"

#include <zlib.h>

#include <utility>

namespace voltpool {

bool LoadStats::skip(const Error& e, const LoadOptions& opts) {
  if (!opts.lenient) return false;
  if (rows_skipped == 0) first_skipped = e.message;
  ++rows_skipped;
  return true;
}

void split_delimited(std::string_view line, char sep, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
}

Result<CsvFile> CsvFile::open(const std::string& path, char sep) {
  CsvFile f;
  f.path_ = path;
  f.sep_ = sep;
  f.gz_ = gzopen(path.c_str(), "rb");
  if (f.gz_ == nullptr) return Error{path + ": cannot open file"};
  gzbuffer(static_cast<gzFile>(f.gz_), 1 << 17);
  std::string line;
  if (!f.read_line(line)) return Error{path + ": empty file (no header line)"};
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  split_delimited(line, sep, f.header_);
  return f;
}

CsvFile::CsvFile(CsvFile&& o) noexcept { *this = std::move(o); }

CsvFile& CsvFile::operator=(CsvFile&& o) noexcept {
  if (this != &o) {
    if (gz_) gzclose(static_cast<gzFile>(gz_));
    path_ = std::move(o.path_);
    sep_ = o.sep_;
    gz_ = std::exchange(o.gz_, nullptr);
    line_ = o.line_;
    header_ = std::move(o.header_);
    fields_ = std::move(o.fields_);
    buffer_ = std::move(o.buffer_);
    read_error_ = std::move(o.read_error_);
  }
  return *this;
}

CsvFile::~CsvFile() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool CsvFile::read_line(std::string& line) {
  line.clear();
  char chunk[4096];
  auto* gz = static_cast<gzFile>(gz_);
  while (gzgets(gz, chunk, sizeof chunk) != nullptr) {
    line += chunk;
    if (!line.empty() && line.back() == '\n') break;
  }
  if (line.empty()) {
    int err = 0;
    const char* msg = gzerror(gz, &err);
    if (err != Z_OK && err != Z_STREAM_END) {
      read_error_ = Error{path_ + ":" + std::to_string(line_ + 1) + ": read error: " + msg};
    }
    return false;
  }
  ++line_;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return true;
}

bool CsvFile::next() {
  while (read_line(buffer_)) {
    if (buffer_.find_first_not_of(" \t") == std::string::npos) continue;
    split_delimited(buffer_, sep_, fields_);
    return true;
  }
  return false;
}

std::optional<size_t> CsvFile::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

Result<size_t> CsvFile::require_column(std::string_view name) const {
  if (auto c = column(name)) return *c;
  return Error{path_ + ":1: missing column '" + std::string(name) + "'"};
}

Result<std::vector<size_t>> CsvFile::require_columns(std::initializer_list<std::string_view> names) const {
  std::vector<size_t> out;
  for (std::string_view name : names) {
    auto c = require_column(name);
    if (!c.ok()) return c.error();
    out.push_back(*c);
  }
  return out;
}

std::optional<size_t> CsvFile::column_starting_with(std::string_view prefix) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (std::string_view(header_[i]).substr(0, prefix.size()) == prefix) return i;
  }
  return std::nullopt;
}

const std::string& CsvFile::field(size_t i) const {
  static const std::string kEmpty;
  return i < fields_.size() ? fields_[i] : kEmpty;
}

Error CsvFile::error(std::string_view field_name, std::string_view problem) const {
  return Error{path_ + ":" + std::to_string(line_) + ": field '" + std::string(field_name) + "': " +
               std::string(problem)};
}

Error CsvFile::bad_field(size_t column, std::string_view expected) const {
  std::string name;
  if (column < header_.size()) {
    name = header_[column];
  } else {
    name = "#";
    name += std::to_string(column + 1);
  }
  std::string problem = "expected ";
  problem += expected;
  problem += ", got '";
  problem += field(column);
  problem += "'";
  return error(name, problem);
}

}  // namespace voltpool
