#pragma once
// The relay's I/O object types, with their executors named. Asio's defaults (tcp::socket,
// beast::tcp_stream, steady_timer) carry any_io_executor, whose type-erased copies, moves and
// destructions ran on every handler dispatch: about 5 % of the relay thread in the profile
// (docs/performance.md).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>

namespace boshtap::proxy {

using IoExecutor = boost::asio::io_context::executor_type;
// Each client connection's handlers run on its own strand.
using Strand = boost::asio::strand<IoExecutor>;
using StrandStream = boost::beast::basic_stream<boost::asio::ip::tcp, Strand>;
using StrandSocket = StrandStream::socket_type;
using StrandTimer =
    boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                      boost::asio::wait_traits<std::chrono::steady_clock>, Strand>;
using StrandResolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, Strand>;
// Pooled upstream connections move between client connections, so they live on the plain
// executor and every handler on them is bound to the strand of the connection using them.
using UpstreamSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
using IoResolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, IoExecutor>;

} // namespace boshtap::proxy
