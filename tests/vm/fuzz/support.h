// The ioctl fuzzer's building blocks: a seeded random stream per call,
// memory arenas that end at an inaccessible page, errno sets, and the
// counters every worker process shares with the supervisor.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace fuzz {

// splitmix64: turns (seed, worker, call) into independent streams, so any
// one call can be generated again from its three numbers alone.
uint64_t mix(uint64_t a, uint64_t b);

// xoshiro256**, seeded through splitmix64.
class Rng {
public:
    explicit Rng(uint64_t seed);
    uint64_t next();
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <typename T>
    T pick(std::initializer_list<T> values) {
        return values.begin()[below(values.size())];
    }

private:
    uint64_t s_[4];
};

// A 32-bit field near its edges: 'interesting' values of the field first
// (its limits, limit + 1, nr_cpu_ids, the device's vector count), then the
// generic boundaries, then anything.
uint32_t boundary32(Rng& rng, std::initializer_list<uint64_t> interesting);

// The errnos an outcome may have: a small bitset (errno values < 192).
class ErrSet {
public:
    ErrSet() = default;
    ErrSet(std::initializer_list<int> errnos) {
        for (int e : errnos)
            add(e);
    }
    void add(int e) {
        if (e > 0 && e < 192)
            bits_[e / 64] |= uint64_t{1} << (e % 64);
    }
    void add(const ErrSet& other) {
        for (int i = 0; i < 3; ++i)
            bits_[i] |= other.bits_[i];
    }
    bool has(int e) const { return e > 0 && e < 192 && (bits_[e / 64] >> (e % 64)) & 1; }
    // "EINVAL|ENOENT"
    void format(char* out, size_t size) const;

private:
    uint64_t bits_[3] = {};
};

const char* errno_name(int e); // "EINVAL"; "success" for 0

// Read-write pages followed by one PROT_NONE page: whatever the module
// reads or writes one byte past the end faults.
class Arena {
public:
    static constexpr size_t pages = 4;
    Arena();
    ~Arena();
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    uint8_t* begin() const { return base_; }
    uint8_t* end() const { return base_ + size(); }
    static size_t size();

private:
    uint8_t* base_;
};

// Where a struct or an array goes.
enum class Where : uint8_t {
    start,      // page-aligned, well inside
    misaligned, // odd address, well inside
    at_end,     // its last byte is the last before the PROT_NONE page
    into_guard, // runs into the PROT_NONE page
    null,
    unmapped, // an address mapped once and unmapped (fuzz::unmapped_page)
    kernel,   // a kernel address
};
const char* where_name(Where where);

// A placement: the user address, its host pointer when it has one (the
// same address), and where its accessible bytes end.
struct Placed {
    uint64_t addr = 0;
    uint8_t* host = nullptr;
    uint8_t* limit = nullptr;
    Where where = Where::start;
    // The first 'len' bytes can be read and written (len 0: always).
    bool reaches(uint64_t len) const {
        return len == 0 || (host && len <= static_cast<uint64_t>(limit - host));
    }
};
Placed place(const Arena& arena, size_t len, Where where, Rng& rng);
// Mostly good places; a few bad ones (percent of bad ones).
Where pick_where(Rng& rng, unsigned bad_percent);
// Set once at start: a page that was mapped and then unmapped.
extern uint64_t unmapped_page;

// Counters shared by every worker process and the supervisor (an
// anonymous shared mapping made before the first fork).
constexpr int max_errno = 191;
constexpr int max_kinds = 48;
constexpr int max_workers = 64;
constexpr int max_printed_failures = 8;

struct KindTally {
    std::atomic<uint64_t> calls;
    std::atomic<uint64_t> failures;
    std::atomic<uint64_t> max_ns;
    std::atomic<uint64_t> by_errno[max_errno + 1]; // [0]: success
};

// What a worker is doing now: the supervisor names a call that hangs.
struct WorkerSlot {
    std::atomic<uint64_t> call;
    std::atomic<uint64_t> started_ns; // 0: between calls
    std::atomic<uint32_t> kind;
};

struct Shared {
    KindTally kinds[max_kinds];
    WorkerSlot workers[max_workers];
    std::atomic<uint64_t> printed_failures;
};

Shared* shared_create();
uint64_t now_ns();

// One line to stdout in a single write(2), safe in forked children and
// between processes (lines do not interleave).
void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace fuzz
