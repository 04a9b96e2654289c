#pragma once
// One WebSocket connection (RFC 6455, XMPP subprotocol RFC 7395): upstream handshake first,
// then the client's, then messages pumped both ways unchanged, close frames relayed.
#include "context.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <optional>
#include <string>

namespace boshtap::proxy {

class WebSocketRelay : public std::enable_shared_from_this<WebSocketRelay>, public Closable {
public:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    // `stream` carries the client connection's strand; `upgrade` is the request already read.
    WebSocketRelay(std::shared_ptr<Context> ctx, boost::beast::tcp_stream&& stream,
                   OpenConnection&& open, boost::asio::ip::address peer, Request&& upgrade);
    ~WebSocketRelay() override;

    void run();
    void shutdown(bool hard) override;

private:
    using Ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;
    struct Side {
        template <class Arg> explicit Side(Arg&& arg) : ws(std::forward<Arg>(arg)) {}
        Ws ws;
        boost::beast::flat_buffer buffer; // the message read here, on its way to the other side
        bool read_ended = false;
        bool closing = false;     // close frame sent or echoed here, or the socket is gone
        bool close_pending = false;
        bool writing = false;
    };

    void on_resolve(boost::beast::error_code ec,
                    boost::asio::ip::tcp::resolver::results_type results);
    void on_connect(boost::beast::error_code ec, boost::asio::ip::tcp::endpoint);
    void on_handshake(boost::beast::error_code ec);
    void on_accept(boost::beast::error_code ec);
    void refuse(boost::beast::http::response<boost::beast::http::string_body>&& res);
    void on_refused(boost::beast::error_code ec, std::size_t);
    void fail_before_open(boost::beast::error_code ec, const char* stage);

    Side& side(int i) { return i == 0 ? client_ : upstream_; }
    void read(int i);
    void on_read(int i, boost::beast::error_code ec, std::size_t bytes);
    void on_write(int i, boost::beast::error_code ec, std::size_t);
    void read_ended(int i, boost::beast::error_code ec);
    void close_side(int i, const boost::beast::websocket::close_reason& reason);
    void on_close_sent(int i, boost::beast::error_code ec);
    void maybe_finish();
    void teardown();

    std::shared_ptr<Context> ctx_;
    OpenConnection open_;
    const std::uint64_t id_;
    Side client_;
    Side upstream_;
    boost::asio::ip::address peer_;
    std::optional<Request> upgrade_; // until the client's handshake is accepted
    ClientMeta meta_;
    std::optional<boost::asio::ip::tcp::resolver> resolver_;
    boost::beast::websocket::response_type upstream_response_;
    std::optional<boost::beast::http::response<boost::beast::http::string_body>> refusal_;
    bool opened_ = false;
    bool finished_ = false;
    bool stopped_ = false;
};

} // namespace boshtap::proxy
