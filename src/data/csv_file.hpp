// Reading the data sets' delimited text files: plain or gzip-compressed (zlib reads both), a UTF-8 BOM and
// CR line ends stripped, RFC 4180 quotes honoured, columns found by header name. Every problem becomes an
// `Error` that names the file, the line and the field, so a bad row is never read as a wrong number.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace voltpool {

struct LoadOptions {
  bool lenient = false;  // skip and count malformed rows instead of failing on the first
};

struct LoadStats {
  size_t rows_read = 0;
  size_t rows_skipped = 0;     // malformed rows skipped under --lenient
  std::string first_skipped;   // the error of the first skipped row
  // A malformed row: under --lenient it is counted and true is returned (skip it); else false (fail).
  bool skip(const Error& e, const LoadOptions& opts);
};

// Splits one delimited line; quoted fields may contain the separator and doubled quotes.
void split_delimited(std::string_view line, char sep, std::vector<std::string>& out);

class CsvFile {
 public:
  // Opens `path` and reads its header line.
  static Result<CsvFile> open(const std::string& path, char sep = ',');

  CsvFile(CsvFile&&) noexcept;
  CsvFile& operator=(CsvFile&&) noexcept;
  ~CsvFile();

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  std::optional<size_t> column(std::string_view name) const;
  // The index of a header column; the error names the file and the missing column.
  Result<size_t> require_column(std::string_view name) const;
  // The indices of several header columns, in the order given; the error names the first one missing.
  Result<std::vector<size_t>> require_columns(std::initializer_list<std::string_view> names) const;
  // The index of the first header column that starts with `prefix`.
  std::optional<size_t> column_starting_with(std::string_view prefix) const;

  // Reads the next non-blank row; false at the end of the file (or on a read error, see read_error()).
  bool next();
  size_t line() const { return line_; }
  size_t size() const { return fields_.size(); }
  // The field of the current row, "" where the row is short.
  const std::string& field(size_t i) const;
  // "FILE:LINE: field 'NAME': problem"
  Error error(std::string_view field_name, std::string_view problem) const;
  // A field's problem, "expected X, got 'value'".
  Error bad_field(size_t column, std::string_view expected) const;
  std::optional<Error> read_error() const { return read_error_; }

 private:
  CsvFile() = default;
  bool read_line(std::string& line);

  std::string path_;
  char sep_ = ',';
  void* gz_ = nullptr;  // gzFile
  size_t line_ = 0;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
  std::string buffer_;
  std::optional<Error> read_error_;
};

}  // namespace voltpool
