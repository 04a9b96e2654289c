#pragma once
// Names the calling thread (Linux: at most 15 characters), so `top -H`, perf and gdb tell the
// relay threads from the auditor's and the admin endpoint's.
#include <pthread.h>

namespace boshtap::proxy {

inline void name_this_thread(const char* name) {
    pthread_setname_np(pthread_self(), name); // best effort: a name is only a label
}

} // namespace boshtap::proxy
