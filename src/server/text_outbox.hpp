// Ordered text writes on a Boost.Beast WebSocket: Beast allows one async_write at a time, so texts queue here
// and go out one after the other. Used by both ends of OCPP-J (the server's station connections and the
// simulated stations). Not thread-safe: call it from the connection's strand.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>

namespace voltpool::server {

class TextOutbox {
 public:
  // Queues `texts` and starts writing when idle. `owner` keeps the connection (and `ws`) alive while writes are
  // pending; `on_written` runs after each text is written, `on_error` once a write fails (nothing more is sent).
  template <class WebSocket, class OnWritten, class OnError>
  void send(WebSocket& ws, std::vector<std::string> texts, std::shared_ptr<void> owner, OnWritten on_written,
            OnError on_error) {
    for (auto& t : texts) queue_.push_back(std::move(t));
    if (!writing_ && !failed_) write_next(ws, std::move(owner), on_written, on_error);
  }

 private:
  template <class WebSocket, class OnWritten, class OnError>
  void write_next(WebSocket& ws, std::shared_ptr<void> owner, OnWritten on_written, OnError on_error) {
    if (queue_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws.text(true);
    ws.async_write(boost::asio::buffer(queue_.front()),
                   [this, &ws, owner, on_written, on_error](boost::beast::error_code ec, std::size_t) {
                     if (ec) {
                       failed_ = true;
                       writing_ = false;
                       on_error();
                       return;
                     }
                     queue_.pop_front();
                     on_written();
                     write_next(ws, owner, on_written, on_error);
                   });
  }

  std::deque<std::string> queue_;
  bool writing_ = false;
  bool failed_ = false;
};

}  // namespace voltpool::server
