#pragma once
// What a socket's receive queue holds right now, without taking anything from it. Readiness
// alone cannot tell: an edge-triggered event may be stale (its bytes already read on another
// thread), so "readable with nothing available" is not end of stream.
#include <sys/socket.h>

#include <cerrno>

namespace boshtap::proxy {

enum class Peeked { nothing, bytes, end_of_stream, error };

inline Peeked peek_socket(int fd) {
    char byte;
    const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return Peeked::bytes;
    if (n == 0) return Peeked::end_of_stream;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Peeked::nothing;
    return Peeked::error;
}

} // namespace boshtap::proxy
