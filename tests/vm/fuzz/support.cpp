#include "support.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <sys/mman.h>
#include <unistd.h>

namespace fuzz {

uint64_t unmapped_page = 0;

uint64_t mix(uint64_t a, uint64_t b) {
    uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed) {
    for (int i = 0; i < 4; ++i)
        s_[i] = seed = mix(seed, static_cast<uint64_t>(i));
}

uint64_t Rng::next() {
    auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

uint32_t boundary32(Rng& rng, std::initializer_list<uint64_t> interesting) {
    static constexpr uint64_t generic[] = {0,     1,     2,          63,         64,
                                           65,    2047,  2048,       2049,       65535,
                                           65536, 65537, 0x7fffffff, 0x80000000, 0xffffffff};
    const unsigned roll = static_cast<unsigned>(rng.below(10));
    if (roll < 5 && interesting.size())
        return static_cast<uint32_t>(interesting.begin()[rng.below(interesting.size())]);
    if (roll < 8)
        return static_cast<uint32_t>(generic[rng.below(std::size(generic))]);
    return static_cast<uint32_t>(rng.next());
}

const char* errno_name(int e) {
    if (e == 0)
        return "success";
    const char* name = strerrorname_np(e);
    return name ? name : "E?";
}

void ErrSet::format(char* out, size_t size) const {
    size_t used = 0;
    out[0] = '\0';
    for (int e = 1; e < 192; ++e) {
        if (!has(e))
            continue;
        const int n =
            std::snprintf(out + used, size - used, "%s%s", used ? "|" : "", errno_name(e));
        if (n < 0 || static_cast<size_t>(n) >= size - used)
            return;
        used += static_cast<size_t>(n);
    }
    if (!used)
        std::snprintf(out, size, "none");
}

size_t Arena::size() {
    return pages * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

Arena::Arena() {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    void* map =
        ::mmap(nullptr, size() + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        std::perror("mmap");
        std::abort();
    }
    base_ = static_cast<uint8_t*>(map);
    if (::mprotect(base_ + size(), page, PROT_NONE)) {
        std::perror("mprotect");
        std::abort();
    }
}

Arena::~Arena() {
    ::munmap(base_, size() + static_cast<size_t>(::sysconf(_SC_PAGESIZE)));
}

const char* where_name(Where where) {
    switch (where) {
    case Where::start:
        return "start";
    case Where::misaligned:
        return "misaligned";
    case Where::at_end:
        return "at_end";
    case Where::into_guard:
        return "into_guard";
    case Where::null:
        return "null";
    case Where::unmapped:
        return "unmapped";
    case Where::kernel:
        return "kernel";
    }
    return "?";
}

Where pick_where(Rng& rng, unsigned bad_percent) {
    if (rng.chance(bad_percent))
        return rng.pick(
            {Where::into_guard, Where::into_guard, Where::null, Where::unmapped, Where::kernel});
    return rng.pick({Where::start, Where::start, Where::misaligned, Where::at_end, Where::at_end});
}

Placed place(const Arena& arena, size_t len, Where where, Rng& rng) {
    Placed p;
    p.where = where;
    p.limit = arena.end();
    len = len < Arena::size() ? len : Arena::size();
    switch (where) {
    case Where::start:
        p.host = arena.begin();
        break;
    case Where::misaligned:
        p.host = arena.begin() + 1 + rng.below(7);
        if (p.host + len > arena.end())
            p.host = arena.end() - len;
        break;
    case Where::at_end:
        p.host = arena.end() - len;
        break;
    case Where::into_guard: {
        // Starts inside, ends 1..len bytes into the PROT_NONE page.
        const size_t inside = len ? rng.below(len) : 0;
        p.host = arena.end() - inside;
        break;
    }
    case Where::null:
        p.addr = rng.chance(80) ? 0 : 8 + rng.below(4096);
        return p;
    case Where::unmapped:
        p.addr = unmapped_page + rng.below(4096);
        return p;
    case Where::kernel:
        p.addr = rng.pick<uint64_t>({0xffff888000000000ull, 0xffffffff81000000ull,
                                     0xfffffffffffff000ull, 0x0000800000000000ull});
        return p;
    }
    p.addr = reinterpret_cast<uintptr_t>(p.host);
    return p;
}

Shared* shared_create() {
    void* map =
        ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        std::perror("mmap shared");
        std::abort();
    }
    static_assert(std::atomic<uint64_t>::is_always_lock_free);
    return new (map) Shared{};
}

uint64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void say(const char* fmt, ...) {
    char line[1024];
    va_list args;
    va_start(args, fmt);
    int n = std::vsnprintf(line, sizeof(line) - 1, fmt, args);
    va_end(args);
    if (n < 0)
        return;
    if (static_cast<size_t>(n) > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    const int saved = errno;
    for (ssize_t off = 0; off < n;) {
        const ssize_t w = ::write(STDOUT_FILENO, line + off, static_cast<size_t>(n - off));
        if (w <= 0)
            break;
        off += w;
    }
    errno = saved;
}

} // namespace fuzz
