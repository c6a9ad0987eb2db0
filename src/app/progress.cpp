#include "app/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace voltpool::app {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()), tty_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  if (shown_) std::fputc('\n', stderr);
}

void ProgressBar::update(int done, int total) {
  if (!tty_ || total <= 0) return;
  if (!shown_ && std::chrono::steady_clock::now() - start_ < std::chrono::seconds{1}) return;
  shown_ = true;
  constexpr int kWidth = 40;
  int filled = static_cast<int>(static_cast<double>(done) / total * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%s [%s] %3d%%", label_.c_str(), bar.c_str(), static_cast<int>(100.0 * done / total));
  std::fflush(stderr);
}

}  // namespace voltpool::app
