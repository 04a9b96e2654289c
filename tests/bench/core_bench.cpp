// Detection core throughput on one core (Google Benchmark): the auditor's per-body work, i.e.
// BoshTap::on_request / on_response -> Tracker over the BOSH fixture transcripts, replicated
// into many concurrent sessions and rooms; and the JSON line of each event.
//
// The corpus: every BOSH transcript of tests/fixtures, COPIES times, each copy with its own
// sids, rooms and users (so sessions and rooms do not collide), all copies interleaved in time
// the way a busy server's sessions are. Requests and responses are paired as on the wire.
// BOSHTAP_FIXTURES overrides the fixture directory; BOSHTAP_BENCH_COPIES the copy count.
#include "boshtap/core/bosh_tap.hpp"
#include "boshtap/core/event_json.hpp"
#include "boshtap/core/tracker.hpp"
#include "boshtap/core/transcript.hpp"
#include "boshtap/sinks/event_format.hpp"

#include <benchmark/benchmark.h>
#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace core = boshtap::core;

namespace {

struct Op {
    bool request = true;
    core::BoshTap::ExchangeId id = 0;
    unsigned status = 200;
    std::string body;
    core::Duration t{};
    std::size_t copy = 0;
};

struct Corpus {
    std::vector<Op> ops;
    std::size_t bytes = 0;
    std::size_t stanzas = 0;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string body_attr(const std::string& payload, const char* name) {
    pugi::xml_document doc;
    if (!doc.load_buffer(payload.data(), payload.size())) return {};
    return doc.document_element().attribute(name).value();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

// Copy `k` of a payload: sids get a suffix, and so do the local parts of room and user JIDs
// (the text before "@muc.", "@meet.jitsi", ...), so every copy is its own set of sessions,
// rooms and users. The focus (focus@auth...) keeps its name: it stays ignored.
std::string rename(std::string s, const std::set<std::string>& sids, std::size_t k) {
    const std::string suffix = "-c" + std::to_string(k);
    for (const auto& sid : sids) replace_all(s, sid, sid + suffix);
    for (const char* domain : {"@muc.", "@lobby.", "@breakout.", "@conference.", "@meet.jitsi"}) {
        for (auto pos = s.find(domain); pos != std::string::npos;
             pos = s.find(domain, pos + suffix.size() + 1))
            s.insert(pos, suffix);
    }
    return s;
}

std::size_t count_stanzas(const std::string& body) {
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size())) return 0;
    std::size_t n = 0;
    for (auto child : doc.document_element().children())
        if (child.type() == pugi::node_element) ++n;
    return n;
}

Corpus build_corpus() {
    const char* dir_env = std::getenv("BOSHTAP_FIXTURES");
    const std::string dir = dir_env ? dir_env : BOSHTAP_FIXTURE_DIR;
    const char* copies_env = std::getenv("BOSHTAP_BENCH_COPIES");
    const std::size_t copies = copies_env ? std::stoul(copies_env) : 100;

    Corpus corpus;
    core::BoshTap::ExchangeId next_id = 1;
    for (const char* name : {"bosh-01-anon-full-lifecycle.txt",
                             "bosh-02-nameless-join-retransmit-reorder.txt",
                             "bosh-04-lobby-breakout-kick-destroy.txt"}) {
        const auto sections = core::parse_transcript(read_file(dir + "/" + name));
        std::set<std::string> sids;
        for (const auto& s : sections) {
            if (s.sid) sids.insert(*s.sid);
            if (auto sid = body_attr(s.payload, "sid"); !sid.empty()) sids.insert(sid);
        }
        for (std::size_t k = 0; k < copies; ++k) {
            struct Pending { core::BoshTap::ExchangeId id; std::string sid, rid; bool answered; };
            std::vector<Pending> pending;
            for (const auto& s : sections) {
                if (s.is_frame || s.is_http_head) continue;
                const std::string sid = s.sid ? *s.sid : body_attr(s.payload, "sid");
                const std::string rid = s.rid ? *s.rid : body_attr(s.payload, "rid");
                Op op;
                op.request = s.from_client;
                op.body = rename(s.payload, sids, k);
                op.t = s.t;
                op.copy = k;
                if (s.from_client) {
                    op.id = next_id++;
                    pending.push_back({op.id, sid, rid, false});
                } else {
                    // The earliest unanswered request of the same sid and rid, as on the wire.
                    auto it = std::find_if(pending.begin(), pending.end(), [&](const Pending& p) {
                        return !p.answered && p.rid == rid &&
                               (sid.empty() || p.sid.empty() || p.sid == sid);
                    });
                    if (it == pending.end()) continue;
                    it->answered = true;
                    op.id = it->id;
                    op.status = static_cast<unsigned>(std::atoi(s.request_line.c_str()));
                    if (op.status == 0) op.status = 200;
                }
                corpus.bytes += op.body.size();
                corpus.stanzas += count_stanzas(op.body);
                corpus.ops.push_back(std::move(op));
            }
        }
    }
    // All copies run at once, interleaved by time (stable: each copy keeps its own order).
    std::stable_sort(corpus.ops.begin(), corpus.ops.end(),
                     [](const Op& a, const Op& b) { return a.t < b.t; });
    return corpus;
}

const Corpus& corpus() {
    static const Corpus c = build_corpus();
    return c;
}

// One pass of the corpus through a fresh BoshTap + Tracker, ticking timers once a second as
// the auditor does. Returns how many events it made; `keep` collects them. The benchmark
// keeps none: the auditor hands each batch to the log and clears it, and growing one vector
// of all events would time the harness's reallocations, not the core.
std::size_t run_corpus(const Corpus& c, core::Events* keep = nullptr) {
    core::Tracker tracker;
    core::BoshTap bosh(tracker);
    core::Events out;
    std::size_t made = 0;
    const core::HttpMeta meta{"203.0.113.24", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
                              "/http-bind"};
    core::TimePoint last_tick{};
    for (const auto& op : c.ops) {
        const core::TimePoint now = core::TimePoint{} + op.t;
        if (now - last_tick >= std::chrono::seconds(1)) {
            bosh.tick(now, out);
            last_tick = now;
        }
        if (op.request)
            bosh.on_request(op.id, meta, op.body, now, out);
        else
            bosh.on_response(op.id, op.status, op.body, now, out);
        made += out.size();
        if (keep)
            keep->insert(keep->end(), std::make_move_iterator(out.begin()),
                         std::make_move_iterator(out.end()));
        out.clear();
    }
    return made;
}

void BM_ParseAndTrack(benchmark::State& state) {
    const auto& c = corpus();
    std::size_t events = 0;
    for (auto _ : state) {
        events = run_corpus(c);
        benchmark::DoNotOptimize(events);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.stanzas));
    state.counters["bodies"] = static_cast<double>(c.ops.size());
    state.counters["events"] = static_cast<double>(events);
    state.counters["corpus_MB"] = static_cast<double>(c.bytes) / 1e6;
}
BENCHMARK(BM_ParseAndTrack)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Baseline: pugixml alone over the same bodies (same flags as the core's parser, in
// src/core/xml.cpp), to show how much of the core's time is parsing and how much is bookkeeping.
void BM_PugixmlParseOnly(benchmark::State& state) {
    const auto& c = corpus();
    for (auto _ : state) {
        for (const auto& op : c.ops) {
            pugi::xml_document doc;
            auto r = doc.load_buffer(op.body.data(), op.body.size(),
                                     (pugi::parse_default & ~pugi::parse_wconv_attribute) |
                                         pugi::parse_doctype,
                                     pugi::encoding_utf8);
            benchmark::DoNotOptimize(r);
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.stanzas));
}
BENCHMARK(BM_PugixmlParseOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);

const core::Events& sample_events() {
    static const core::Events e = [] {
        core::Events all;
        run_corpus(corpus(), &all);
        return all;
    }();
    return e;
}

// The JSON line of each event: the core's serialisation, and the line the auditor writes
// (the same, through the default privacy policy).
void BM_EventJsonLine(benchmark::State& state) {
    const auto& events = sample_events();
    std::size_t bytes = 0;
    for (auto _ : state) {
        for (const auto& e : events) {
            auto line = core::to_json_line(e);
            bytes += line.size();
            benchmark::DoNotOptimize(line.data());
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
}
BENCHMARK(BM_EventJsonLine)->MinTime(1.0);

void BM_EventFormatLine(benchmark::State& state) {
    const auto& events = sample_events();
    const boshtap::sinks::EventFormat format;
    std::size_t bytes = 0;
    for (auto _ : state) {
        for (const auto& e : events) {
            auto line = format.line(e);
            bytes += line.size();
            benchmark::DoNotOptimize(line.data());
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
}
BENCHMARK(BM_EventFormatLine)->MinTime(1.0);

} // namespace

BENCHMARK_MAIN();
