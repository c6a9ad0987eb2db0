// A progress bar on stderr, shown only on a terminal and only once a run has taken longer than a second.
#pragma once

#include <chrono>
#include <string>

namespace voltpool::app {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void update(int done, int total);

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  bool tty_ = false;
  bool shown_ = false;
};

}  // namespace voltpool::app
