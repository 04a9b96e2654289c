#pragma once
// The relay's I/O object types, with their executors named. Asio's defaults (tcp::socket,
// beast::tcp_stream, steady_timer) carry any_io_executor, whose type-erased copies, moves and
// destructions ran on every handler dispatch: about 5 % of the relay thread in the profile
// (docs/performance.md).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>

namespace boshtap::proxy {

// Each I/O thread runs an io_context of its own, and a connection lives on one of them (see
// Worker): its handlers run one at a time on that thread, an implicit strand that costs no
// hand-off (an explicit strand per connection cost about 10 % more CPU per forwarded request).
using IoExecutor = boost::asio::io_context::executor_type;
using IoStream = boost::beast::basic_stream<boost::asio::ip::tcp, IoExecutor>;
using IoSocket = IoStream::socket_type;
using IoTimer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                  boost::asio::wait_traits<std::chrono::steady_clock>,
                                                  IoExecutor>;
using IoResolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, IoExecutor>;

} // namespace boshtap::proxy
