#include "app/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "server/api_json.hpp"

namespace voltpool::app {

namespace {

// %* : the message as the contents of a JSON string.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string_view text(msg.payload.data(), msg.payload.size());
    const bool utf8 = server::valid_utf8(text);  // else bytes above 0x7f are written as \u00XX: still JSON
    for (char c : text) {
      auto u = static_cast<unsigned char>(c);
      if (!utf8 && u >= 0x80) {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
        dest.append(escaped, escaped + sizeof escaped);
      } else if (c == '"' || c == '\\') {
        dest.push_back('\\');
        dest.push_back(c);
      } else if (u < 0x20) {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
        dest.append(escaped, escaped + sizeof escaped);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

}  // namespace

Status set_up_logging(const std::string& format) {
  if (format != "text" && format != "json") return Error{"--log-format must be text or json, got '" + format + "'"};
  auto logger = spdlog::stderr_color_mt("voltpool");
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n","thread":%t,"msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  }
  spdlog::set_default_logger(std::move(logger));
  return ok_status();
}

}  // namespace voltpool::app
