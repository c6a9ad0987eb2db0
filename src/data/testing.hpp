// Test helpers: the shared/ folder with the real data, and temporary files for malformed-input cases.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace voltpool::testing {

inline std::string shared_path(const std::string& rel) {
  std::string p = std::string(VOLTPOOL_SHARED_DIR) + "/" + rel;
  EXPECT_TRUE(std::filesystem::exists(p)) << "missing shared data: " << p;
  return p;
}

// A file under the test's temporary directory, removed with the object.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    path_ = (std::filesystem::temp_directory_path() /
             ("voltpool_" + std::to_string(::getpid()) + "_" + name)).string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace voltpool::testing
