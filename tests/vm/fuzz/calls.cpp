#include "calls.h"

#include "irqlab/uapi.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <sys/ioctl.h>

namespace fuzz {
namespace {

constexpr uint8_t canary = 0xa5;
constexpr uint32_t unknown_needed = UINT32_MAX;

enum class BdfClass : uint8_t { own, foreign, missing, malformed, unterminated, empty };

const char* bdf_class_name(BdfClass c) {
    static constexpr const char* names[] = {"own",       "foreign",      "missing",
                                            "malformed", "unterminated", "empty"};
    return names[static_cast<unsigned>(c)];
}

// One struct irqlab_array of the request and the buffer it points at.
struct ArrayPart {
    bool used = false;
    size_t offset = 0; // of the struct irqlab_array in the request
    bool out = false;
    bool bitmap = false;
    size_t elem = 0;         // bytes per element (bitmaps: bits, see nr)
    uint32_t needed = 0;     // out: elements (bits) of the answer
    uint32_t needed_max = 0; // out, needed unknown: at most this many
    uint32_t nr_in = 0;
    uint32_t pad = 0;
    Placed placed;
    size_t bytes = 0;              // of the buffer, as placed
    std::vector<uint8_t> contents; // in: what the buffer held
};

struct Call {
    unsigned kind = 0;    // tally kind
    unsigned command = 0; // index into the command table
    unsigned long word = 0;
    size_t size = 0;
    std::vector<uint8_t> image; // the request as generated
    Placed req;
    ArrayPart arrays[2];
    ErrSet allowed;
    bool must_fail = false;
    bool must_succeed = false;
    int dev = -1; // index into world.own
    BdfClass bdf = BdfClass::own;
    char desc[480] = {};
    size_t desc_len = 0;

    template <typename T>
    T* as() {
        return reinterpret_cast<T*>(image.data());
    }
    void note(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        if (desc_len >= sizeof(desc) - 1)
            return;
        va_list args;
        va_start(args, fmt);
        const int n = std::vsnprintf(desc + desc_len, sizeof(desc) - desc_len, fmt, args);
        va_end(args);
        if (n > 0)
            desc_len = std::min(sizeof(desc) - 1, desc_len + static_cast<size_t>(n));
    }
    // A field the ABI rejects: the call must fail, with one of 'errnos'
    // (or an errno of a check the module makes earlier).
    void violates(int e) {
        must_fail = true;
        allowed.add(e);
    }
    // The only acceptable outcome is failing with 'e'.
    void exactly(int e) {
        allowed = ErrSet{e};
        must_fail = true;
        must_succeed = false;
    }
};

// Which checks a command's module handler makes first (uapi.h and
// module/device_ioctl.c): device commands look the bdf up before anything
// else of the request.
enum class Shape : uint8_t { plain, device, claim, release, stop };

struct Command {
    const char* name;
    unsigned long word;
    size_t size;
    Shape shape;
    ErrSet documented; // besides EFAULT for bad pointers
};

constexpr int e2big = E2BIG;

// The ABI's errnos per command (uapi.h): the device commands' list, the
// engine's EALREADY/ENOENT, the measuring commands' EBUSY/EOPNOTSUPP, the
// buffer rule's E2BIG, ENGINE_FLUSH's EINTR and ETIMEDOUT. EINVAL, where
// listed, is always possible; a field the ABI rejects makes the call one
// that must fail (Call::violates).
const Command commands[] = {
    {"version", IRQLAB_IOC_VERSION, sizeof(irqlab_version), Shape::plain, {}},
    {"info", IRQLAB_IOC_INFO, sizeof(irqlab_info), Shape::plain, {}},
    {"claim",
     IRQLAB_IOC_CLAIM,
     sizeof(irqlab_claim),
     Shape::claim,
     {EINVAL, ENODEV, EOPNOTSUPP, EBUSY, EALREADY}},
    {"release",
     IRQLAB_IOC_RELEASE,
     sizeof(irqlab_release),
     Shape::release,
     {EINVAL, ENODEV, ENOENT}},
    {"vector_info",
     IRQLAB_IOC_VECTOR_INFO,
     sizeof(irqlab_vector_info),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, e2big}},
    {"set_affinity",
     IRQLAB_IOC_SET_AFFINITY,
     sizeof(irqlab_affinity),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, EBUSY, EIO}},
    {"fire",
     IRQLAB_IOC_FIRE,
     sizeof(irqlab_fire),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, EBUSY, EOPNOTSUPP, EIO}},
    {"run_status",
     IRQLAB_IOC_RUN_STATUS,
     sizeof(irqlab_run_status),
     Shape::device,
     {EINVAL, ENOENT}},
    {"stop", IRQLAB_IOC_STOP, sizeof(irqlab_stop), Shape::stop, {EINVAL, ENOENT}},
    {"stats",
     IRQLAB_IOC_STATS,
     sizeof(irqlab_vector_stats),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, e2big}},
    {"reset", IRQLAB_IOC_RESET, sizeof(irqlab_reset), Shape::device, {EINVAL, ENOENT, EBUSY}},
    {"list", IRQLAB_IOC_LIST, sizeof(irqlab_device_list), Shape::plain, {EINVAL, e2big}},
    {"device_caps", IRQLAB_IOC_DEVICE_CAPS, sizeof(irqlab_device_caps), Shape::plain, {}},
    {"engine_attach",
     IRQLAB_IOC_ENGINE_ATTACH,
     sizeof(irqlab_engine_attach),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, EALREADY, EBUSY}},
    {"engine_detach",
     IRQLAB_IOC_ENGINE_DETACH,
     sizeof(irqlab_engine_detach),
     Shape::device,
     {EINVAL, ENOENT, ERANGE}},
    {"engine_line",
     IRQLAB_IOC_ENGINE_LINE,
     sizeof(irqlab_engine_line),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, e2big}},
    {"engine_softirqs",
     IRQLAB_IOC_ENGINE_SOFTIRQS,
     sizeof(irqlab_engine_softirqs),
     Shape::plain,
     {ERANGE}},
    {"engine_pool", IRQLAB_IOC_ENGINE_POOL, sizeof(irqlab_engine_pool), Shape::plain, {ERANGE}},
    {"engine_workqueue",
     IRQLAB_IOC_ENGINE_WORKQUEUE,
     sizeof(irqlab_engine_workqueue),
     Shape::plain,
     {ERANGE}},
    {"engine_config",
     IRQLAB_IOC_ENGINE_CONFIG,
     sizeof(irqlab_engine_config),
     Shape::plain,
     {EINVAL}},
    {"engine_flush",
     IRQLAB_IOC_ENGINE_FLUSH,
     sizeof(irqlab_engine_flush),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, EINTR, ETIMEDOUT}},
    {"mech_attach",
     IRQLAB_IOC_MECH_ATTACH,
     sizeof(irqlab_mech_attach),
     Shape::device,
     {EINVAL, ENOENT, ERANGE, EBUSY, EOPNOTSUPP}},
    {"mech_detach",
     IRQLAB_IOC_MECH_DETACH,
     sizeof(irqlab_mech_detach),
     Shape::device,
     {EINVAL, ENOENT, ERANGE}},
    {"mech_stats",
     IRQLAB_IOC_MECH_STATS,
     sizeof(irqlab_mech_stats),
     Shape::device,
     {EINVAL, ENOENT, ERANGE}},
    {"hist_config",
     IRQLAB_IOC_HIST_CONFIG,
     sizeof(irqlab_hist_config),
     Shape::plain,
     {EINVAL, EBUSY}},
    {"hist_read", IRQLAB_IOC_HIST_READ, sizeof(irqlab_hist), Shape::plain, {EINVAL, ERANGE}},
    {"vector_route",
     IRQLAB_IOC_VECTOR_ROUTE,
     sizeof(irqlab_vector_route),
     Shape::device,
     {EINVAL, ENOENT, ERANGE}},
};
constexpr unsigned nr_commands = sizeof(commands) / sizeof(commands[0]);
static_assert(nr_commands == kind_wrong_encoding);

// Builds one call: the request's fields, its arrays, and what the ABI
// says about the outcome.
class Gen {
public:
    Gen(const World& world, Arenas& arenas, Rng& rng, Call& call)
        : w_{world}, a_{arenas}, r_{rng}, c_{call} {}

    Rng& rng() { return r_; }
    Call& call() { return c_; }

    // The device the request names, into a bdf field.
    void bdf(char* field, bool valid_only = false) {
        const unsigned roll = static_cast<unsigned>(r_.below(100));
        BdfClass cls = BdfClass::own;
        if (!valid_only && !w_.own.empty()) {
            cls = roll < 74   ? BdfClass::own
                  : roll < 79 ? BdfClass::foreign
                  : roll < 84 ? BdfClass::missing
                  : roll < 91 ? BdfClass::malformed
                  : roll < 95 ? BdfClass::unterminated
                              : BdfClass::empty;
        }
        if (cls == BdfClass::foreign && w_.foreign.empty())
            cls = BdfClass::missing;
        if (cls == BdfClass::missing && w_.missing.empty())
            cls = BdfClass::malformed;
        if (cls == BdfClass::own && w_.own.empty())
            cls = BdfClass::malformed;
        c_.bdf = cls;
        std::memset(field, 0, IRQLAB_BDF_LEN);
        switch (cls) {
        case BdfClass::own: {
            c_.dev = static_cast<int>(r_.below(w_.own.size()));
            const std::string& full = w_.own[static_cast<size_t>(c_.dev)].bdf;
            // The domain may be omitted (uapi.h).
            const char* name = full.c_str();
            if (r_.chance(15) && full.size() > 5 && full.compare(0, 5, "0000:") == 0)
                name += 5;
            std::snprintf(field, IRQLAB_BDF_LEN, "%s", name);
            break;
        }
        case BdfClass::foreign:
            std::snprintf(field, IRQLAB_BDF_LEN, "%s",
                          w_.foreign[r_.below(w_.foreign.size())].c_str());
            break;
        case BdfClass::missing:
            std::snprintf(field, IRQLAB_BDF_LEN, "%s",
                          w_.missing[r_.below(w_.missing.size())].c_str());
            break;
        case BdfClass::malformed:
            std::snprintf(
                field, IRQLAB_BDF_LEN, "%s",
                r_.pick<const char*>({"00:zz.0", "0000:00:20.0", "0000:00:1f.8", "10000:00:00.0",
                                      "0000:100:00.0", "0000:00:03.0x", "0000:00:03",
                                      ":::", "0000:00:03.0 ", "-1:0:0.0", "0000:00:03.0.0"}));
            break;
        case BdfClass::unterminated:
            for (unsigned i = 0; i < IRQLAB_BDF_LEN; ++i)
                field[i] = static_cast<char>(r_.pick<int>({'0', ':', '.', 'f', 'x'}));
            break;
        case BdfClass::empty:
            break;
        }
        c_.note("bdf=%s(%.16s) ", bdf_class_name(cls), field);
    }

    // The named device's vector count, or a stand-in when it is not ours
    // (the bdf decides the outcome then).
    uint32_t nv() const {
        return c_.dev >= 0 ? w_.own[static_cast<size_t>(c_.dev)].nr_vectors : IRQLAB_MAX_VECTORS;
    }

    // A vector index: mostly the device's, sometimes at or past its end.
    uint32_t vector(const char* name) {
        const uint32_t n = nv();
        const uint32_t v = r_.chance(80) ? static_cast<uint32_t>(r_.below(n))
                                         : boundary32(r_, {n, n - 1, n + 1, IRQLAB_MAX_VECTORS});
        if (v >= n)
            c_.violates(ERANGE);
        c_.note("%s=%u ", name, v);
        return v;
    }

    uint32_t pad(const char* name) {
        const uint32_t p = r_.chance(95) ? 0 : boundary32(r_, {1, 0x80000000});
        if (p)
            c_.violates(EINVAL);
        if (p)
            c_.note("%s=%#x ", name, p);
        return p;
    }

    // An in bitmap of 'limit' valid bits (vectors, CPUs).
    void in_bitmap(size_t offset, unsigned slot, uint32_t limit, bool cpus = false) {
        ArrayPart& part = c_.arrays[slot];
        part.used = true;
        part.offset = offset;
        part.bitmap = true;
        irqlab_array arr{};
        const uint32_t words_limit = IRQLAB_BITMAP_WORDS(limit) * 64;
        arr.nr =
            r_.chance(70)
                ? r_.pick<uint32_t>({limit, words_limit, limit, 64})
                : boundary32(r_, {0, 1, 63, 64, 65, limit - 1, limit + 1, IRQLAB_BITMAP_MAX_BITS,
                                  IRQLAB_BITMAP_MAX_BITS + 1, words_limit + 64});
        arr.pad = r_.chance(96) ? 0 : boundary32(r_, {1});
        part.nr_in = arr.nr;
        const bool nr_ok = arr.nr && arr.nr <= IRQLAB_BITMAP_MAX_BITS && !arr.pad;
        const uint64_t words = IRQLAB_BITMAP_WORDS(static_cast<uint64_t>(arr.nr));
        part.bytes = static_cast<size_t>(std::min<uint64_t>(words * 8, Arena::size()));
        part.placed = place(a_.array[slot], part.bytes, pick_where(r_, 8), r_);
        arr.ptr = part.placed.addr;
        std::memcpy(c_.image.data() + offset, &arr, sizeof(arr));

        // The set: which bits, below or past 'nr' (those are ignored).
        std::vector<uint64_t> set(part.bytes / 8);
        const uint32_t bits = static_cast<uint32_t>(set.size() * 64);
        auto put = [&](uint64_t bit) {
            if (bit < bits)
                set[bit / 64] |= uint64_t{1} << (bit % 64);
        };
        const uint32_t in_range = std::min(limit, arr.nr);
        const unsigned pattern = static_cast<unsigned>(r_.below(10));
        if (pattern < 4 && in_range) {
            put(r_.below(in_range));
        } else if (pattern < 6 && in_range) {
            for (unsigned i = 0, n = 1 + static_cast<unsigned>(r_.below(4)); i < n; ++i)
                put(r_.below(in_range));
        } else if (pattern == 6) {
            for (uint32_t b = 0; b < in_range; ++b)
                put(b);
        } else if (pattern == 7) {
            put(limit); // the first bit past the range
            if (in_range)
                put(r_.below(in_range));
        } else if (pattern == 8) {
            for (auto& word : set)
                word = r_.next();
        }
        if (r_.chance(30)) // past 'nr': ignored by the ABI
            put(arr.nr + r_.below(64));
        if (part.placed.host) {
            const size_t reach = std::min<size_t>(
                part.bytes, static_cast<size_t>(part.placed.limit - part.placed.host));
            if (reach)
                std::memcpy(part.placed.host, set.data(), reach);
            part.contents.assign(part.placed.host, part.placed.host + reach);
        }

        // What the module must make of it (module/uarray.c).
        bool any = false, past = false;
        for (uint32_t b = 0; nr_ok && b < arr.nr && b < bits; ++b) {
            if (!((set[b / 64] >> (b % 64)) & 1))
                continue;
            any = true;
            past = past || b >= limit;
        }
        if (!nr_ok) {
            c_.violates(EINVAL);
        } else if (!part.placed.reaches(words * 8)) {
            c_.violates(EFAULT);
        } else if (past) {
            c_.violates(ERANGE);
        } else if (!any) {
            c_.violates(EINVAL);
        }
        // An offline CPU in an affinity set is out of range too.
        if (cpus && nr_ok && part.placed.reaches(words * 8) && !past && any) {
            for (uint32_t b = 0; b < arr.nr; ++b) {
                if (!((set[b / 64] >> (b % 64)) & 1))
                    continue;
                bool online = false;
                for (uint32_t cpu : w_.online)
                    online = online || cpu == b;
                if (!online)
                    c_.violates(ERANGE);
            }
        }
        c_.note("%s{%s nr=%u pad=%u pat=%u} ", cpus ? "cpus" : "vectors",
                where_name(part.placed.where), arr.nr, arr.pad, pattern);
    }

    // An out array for 'needed' elements of 'elem' bytes (bitmaps: bits).
    void out_array(size_t offset, unsigned slot, size_t elem, uint32_t needed, bool bitmap,
                   uint32_t needed_max = 0) {
        ArrayPart& part = c_.arrays[slot];
        part.used = true;
        part.out = true;
        part.offset = offset;
        part.bitmap = bitmap;
        part.elem = elem;
        part.needed = needed;
        part.needed_max = needed_max;
        const uint32_t n = needed == unknown_needed ? needed_max : needed;
        irqlab_array arr{};
        const unsigned roll = static_cast<unsigned>(r_.below(20));
        arr.nr = roll < 10   ? n
                 : roll < 13 ? n + 1 + static_cast<uint32_t>(r_.below(70))
                 : roll < 16 ? (n ? n - 1 : 0)
                 : roll < 17 ? 0
                             : boundary32(r_, {IRQLAB_BITMAP_MAX_BITS, n + 64, 0xffffffff});
        arr.pad = r_.chance(96) ? 0 : 1;
        part.nr_in = arr.nr;
        part.pad = arr.pad;
        const uint64_t want = bitmap ? IRQLAB_BITMAP_WORDS(static_cast<uint64_t>(arr.nr)) * 8
                                     : static_cast<uint64_t>(arr.nr) * elem;
        part.bytes = static_cast<size_t>(std::min<uint64_t>(want, Arena::size()));
        part.placed = place(a_.array[slot], part.bytes, pick_where(r_, 8), r_);
        arr.ptr = part.placed.addr;
        std::memcpy(c_.image.data() + offset, &arr, sizeof(arr));
        if (part.placed.host)
            std::memset(part.placed.host, canary,
                        static_cast<size_t>(part.placed.limit - part.placed.host));

        const uint64_t touched = bitmap ? IRQLAB_BITMAP_WORDS(static_cast<uint64_t>(n)) * 8
                                        : static_cast<uint64_t>(n) * elem;
        if (arr.pad) {
            c_.violates(EINVAL);
        } else if (needed == unknown_needed) {
            // LIST: as many as are claimed now, at most needed_max.
            c_.allowed.add(e2big);
            if (!part.placed.reaches(std::min(arr.nr, n) * elem))
                c_.allowed.add(EFAULT);
        } else if (arr.nr < needed) {
            c_.violates(e2big);
        } else if (!part.placed.reaches(touched)) {
            c_.violates(EFAULT);
        }
        c_.note("out%u{%s nr=%u pad=%u need=%u} ", slot, where_name(part.placed.where), arr.nr,
                arr.pad, needed);
    }

    const World& world() const { return w_; }

private:
    const World& w_;
    Arenas& a_;
    Rng& r_;
    Call& c_;
};

uint64_t count_value(Rng& r) {
    if (r.chance(85))
        return 1 + r.below(r.chance(50) ? 20 : 2000);
    return r.pick<uint64_t>({0, 1, IRQLAB_MAX_COUNT, IRQLAB_MAX_COUNT + 1, ~0ull, 1ull << 32});
}

// The generators: fields near their edges, and the ABI's verdict on them.
void gen_claim(Gen& g) {
    auto* req = g.call().as<irqlab_claim>();
    g.bdf(req->bdf);
    Rng& r = g.rng();
    req->flags = r.chance(85) ? r.pick<uint32_t>({0, 0, IRQLAB_CLAIM_SPREAD, IRQLAB_CLAIM_FORCE})
                              : boundary32(r, {4, 0x80000000, 3});
    // Never force a device that is not ours off its driver (the guest's
    // own root file system is a virtio device).
    if (g.call().bdf != BdfClass::own)
        req->flags &= ~static_cast<uint32_t>(IRQLAB_CLAIM_FORCE);
    if (req->flags & ~static_cast<uint32_t>(IRQLAB_CLAIM_FORCE | IRQLAB_CLAIM_SPREAD))
        g.call().violates(EINVAL);
    req->nr_vectors = static_cast<uint32_t>(r.next());
    req->table_size = static_cast<uint32_t>(r.next());
    g.call().note("flags=%#x", req->flags);
}

void gen_release(Gen& g) {
    auto* req = g.call().as<irqlab_release>();
    g.bdf(req->bdf);
    Rng& r = g.rng();
    req->flags =
        r.chance(90) ? r.pick<uint32_t>({0, IRQLAB_RELEASE_REPROBE}) : boundary32(r, {2, 3});
    if (req->flags & ~static_cast<uint32_t>(IRQLAB_RELEASE_REPROBE))
        g.call().violates(EINVAL);
    req->pad = g.pad("pad");
    g.call().note("flags=%#x", req->flags);
}

void gen_vector_info(Gen& g) {
    auto* req = g.call().as<irqlab_vector_info>();
    g.bdf(req->bdf);
    req->vector = g.vector("vector");
    const uint32_t cpus = g.world().nr_cpu_ids;
    g.out_array(offsetof(irqlab_vector_info, affinity), 0, 8, cpus, true);
    g.out_array(offsetof(irqlab_vector_info, effective_affinity), 1, 8, cpus, true);
}

void gen_vector_route(Gen& g) {
    auto* req = g.call().as<irqlab_vector_route>();
    g.bdf(req->bdf);
    req->vector = g.vector("vector");
}

void gen_set_affinity(Gen& g) {
    auto* req = g.call().as<irqlab_affinity>();
    g.bdf(req->bdf);
    req->vector = g.vector("vector");
    req->pad = g.pad("pad");
    g.in_bitmap(offsetof(irqlab_affinity, cpus), 0, g.world().nr_cpu_ids, true);
}

void gen_fire(Gen& g) {
    auto* req = g.call().as<irqlab_fire>();
    Rng& r = g.rng();
    Call& c = g.call();
    g.bdf(req->bdf);
    g.in_bitmap(offsetof(irqlab_fire, vectors), 0, g.nv());
    req->count = count_value(r);
    if (!req->count || req->count > IRQLAB_MAX_COUNT)
        c.violates(EINVAL);
    req->rate_hz = r.chance(70) ? r.pick<uint32_t>({0, 0, 1000, 20000, 100000})
                                : boundary32(r, {1, 10, 1000000});
    req->trigger = r.chance(90) ? r.pick<uint32_t>({IRQLAB_TRIGGER_DEVICE, IRQLAB_TRIGGER_IPI,
                                                    IRQLAB_TRIGGER_IPI, IRQLAB_TRIGGER_EXTERNAL})
                                : boundary32(r, {0, 4});
    if (req->trigger < IRQLAB_TRIGGER_DEVICE || req->trigger > IRQLAB_TRIGGER_EXTERNAL)
        c.violates(EINVAL);
    // External runs wait for interrupts nobody sends: rarely, and short.
    if (req->trigger == IRQLAB_TRIGGER_EXTERNAL && r.chance(70))
        req->trigger = IRQLAB_TRIGGER_IPI;
    const World& w = g.world();
    if (r.chance(70)) {
        req->cpu = -1;
    } else if (r.chance(60) && !w.online.empty()) {
        req->cpu = static_cast<int32_t>(w.online[r.below(w.online.size())]);
    } else {
        req->cpu = static_cast<int32_t>(
            boundary32(r, {0xfffffffe, w.nr_cpu_ids, w.nr_cpu_ids - 1, INT32_MAX, 0x80000000}));
    }
    bool cpu_ok = req->cpu == -1;
    for (uint32_t cpu : w.online)
        cpu_ok = cpu_ok || static_cast<int64_t>(cpu) == req->cpu;
    if (!cpu_ok)
        c.violates(ERANGE);
    req->flags =
        r.chance(90) ? r.pick<uint32_t>({0, 0, 0, IRQLAB_FIRE_DETACHED}) : boundary32(r, {2, 3});
    if (req->flags & ~static_cast<uint32_t>(IRQLAB_FIRE_FLAGS))
        c.violates(EINVAL);
    c.note("count=%llu rate=%u trigger=%u cpu=%d flags=%#x",
           static_cast<unsigned long long>(req->count), req->rate_hz, req->trigger, req->cpu,
           req->flags);
}

void gen_bdf_only(Gen& g) {
    // RUN_STATUS, STOP, RESET: the bdf is the whole request (plus outs).
    g.bdf(reinterpret_cast<char*>(g.call().image.data()));
}

void gen_stats(Gen& g) {
    auto* req = g.call().as<irqlab_vector_stats>();
    g.bdf(req->bdf);
    req->vector = g.vector("vector");
    req->pad = g.pad("pad");
    g.out_array(offsetof(irqlab_vector_stats, cpus), 0, sizeof(irqlab_counters),
                g.world().nr_cpu_ids, false);
}

void gen_list(Gen& g) {
    const uint32_t most = static_cast<uint32_t>(g.world().own.size());
    g.out_array(offsetof(irqlab_device_list, bdfs), 0, IRQLAB_BDF_LEN, unknown_needed, false, most);
    // With room for every device we may claim, it cannot be short.
    const ArrayPart& part = g.call().arrays[0];
    irqlab_array arr{};
    std::memcpy(&arr, g.call().image.data(), sizeof(arr));
    if (!arr.pad && arr.nr >= most && part.placed.reaches(most * IRQLAB_BDF_LEN))
        g.call().must_succeed = true;
}

void gen_device_caps(Gen& g) {
    auto* req = g.call().as<irqlab_device_caps>();
    Rng& r = g.rng();
    const unsigned pick = static_cast<unsigned>(r.below(4));
    req->vendor = pick == 0 ? 0x8086 : pick == 1 ? 0x1af4 : static_cast<uint16_t>(r.next());
    req->device = pick == 0 ? 0x10d3 : pick == 1 ? 0x1110 : static_cast<uint16_t>(r.next());
    req->triggers = static_cast<uint32_t>(r.next());
    g.call().must_succeed = true;
    g.call().note("id=%04x:%04x", req->vendor, req->device);
}

void gen_engine_attach(Gen& g) {
    auto* req = g.call().as<irqlab_engine_attach>();
    Rng& r = g.rng();
    Call& c = g.call();
    g.bdf(req->bdf);
    g.in_bitmap(offsetof(irqlab_engine_attach, vectors), 0, g.nv());
    req->action = r.chance(90) ? 1 + static_cast<uint32_t>(r.below(8)) : boundary32(r, {0, 9});
    const uint32_t action = req->action;
    req->softirq = r.chance(85) ? static_cast<uint32_t>(r.below(IRQLAB_NR_SOFTIRQS))
                                : boundary32(r, {IRQLAB_NR_SOFTIRQS});
    // Huge per-interrupt work (rounds, NAPI events) costs minutes of CPU
    // under TCG once a run fires: at its bounds, but rarely.
    req->softirq_rounds =
        r.chance(95) ? static_cast<uint32_t>(r.below(8))
                     : boundary32(r, {IRQLAB_MAX_SOFTIRQ_ROUNDS, IRQLAB_MAX_SOFTIRQ_ROUNDS + 1});
    req->flow = r.chance(90) ? static_cast<uint32_t>(r.below(3)) : boundary32(r, {3});
    req->shared_none = r.chance(85) ? static_cast<uint32_t>(r.below(3))
                                    : boundary32(r, {IRQLAB_MAX_SHARED, IRQLAB_MAX_SHARED + 1});
    req->work = r.chance(90) ? static_cast<uint32_t>(r.below(6)) : boundary32(r, {6});
    const bool holds = action == IRQLAB_ACTION_WORK || action == IRQLAB_ACTION_THREAD;
    req->hold = r.chance(holds ? 50 : 92) ? 0
                : r.chance(90)            ? 1 + static_cast<uint32_t>(r.below(2))
                                          : boundary32(r, {3});
    req->hold_us = r.chance(85) ? static_cast<uint32_t>(r.below(300))
                                : boundary32(r, {IRQLAB_MAX_HOLD_US, IRQLAB_MAX_HOLD_US + 1});
    req->delay_us = r.chance(85) ? static_cast<uint32_t>(r.below(2000))
                                 : boundary32(r, {IRQLAB_MAX_DELAY_US, IRQLAB_MAX_DELAY_US + 1});
    req->napi_weight = r.chance(85)
                           ? static_cast<uint32_t>(r.below(65))
                           : boundary32(r, {IRQLAB_MAX_NAPI_WEIGHT, IRQLAB_MAX_NAPI_WEIGHT + 1});
    req->napi_events = r.chance(95)
                           ? static_cast<uint32_t>(r.below(200))
                           : boundary32(r, {IRQLAB_MAX_NAPI_EVENTS, IRQLAB_MAX_NAPI_EVENTS + 1});
    req->flags = r.chance(90) ? r.pick<uint32_t>({0, 0, IRQLAB_ATTACH_KEEP, IRQLAB_ATTACH_ONESHOT,
                                                  IRQLAB_ATTACH_MEM_RECLAIM})
                              : boundary32(r, {1u << 3, IRQLAB_ATTACH_FLAGS});

    // The ABI's bounds (module/engine.c) and the engine's own rules
    // (core/engine: each action's validate()).
    if (req->softirq_rounds > IRQLAB_MAX_SOFTIRQ_ROUNDS || req->hold_us > IRQLAB_MAX_HOLD_US ||
        req->delay_us > IRQLAB_MAX_DELAY_US || req->napi_weight > IRQLAB_MAX_NAPI_WEIGHT ||
        req->napi_events > IRQLAB_MAX_NAPI_EVENTS || (req->flags & ~IRQLAB_ATTACH_FLAGS))
        c.violates(EINVAL);
    if (action < IRQLAB_ACTION_COUNT || action > IRQLAB_ACTION_NAPI || req->flow > 2 ||
        req->shared_none > IRQLAB_MAX_SHARED)
        c.violates(EINVAL);
    if (req->hold > IRQLAB_HOLD_SPIN || (req->hold && !holds))
        c.violates(EINVAL);
    if ((req->flags & IRQLAB_ATTACH_ONESHOT) && action != IRQLAB_ACTION_THREAD)
        c.violates(EINVAL);
    if ((req->flags & IRQLAB_ATTACH_MEM_RECLAIM) && action != IRQLAB_ACTION_WORK)
        c.violates(EINVAL);
    if (action == IRQLAB_ACTION_SOFTIRQ &&
        (req->softirq >= IRQLAB_NR_SOFTIRQS || req->softirq == 0 /* HI */ ||
         req->softirq == 1 /* TIMER */ || req->softirq == 6 /* TASKLET */))
        c.violates(EINVAL);
    if (action == IRQLAB_ACTION_WORK &&
        (req->work > IRQLAB_WORK_DELAYED ||
         (req->work == IRQLAB_WORK_BH &&
          (req->hold == IRQLAB_HOLD_SLEEP || (req->flags & IRQLAB_ATTACH_MEM_RECLAIM)))))
        c.violates(EINVAL);
    c.note("action=%u softirq=%u rounds=%u flow=%u shared=%u work=%u hold=%u/%uus delay=%u "
           "napi=%u/%u flags=%#x",
           action, req->softirq, req->softirq_rounds, req->flow, req->shared_none, req->work,
           req->hold, req->hold_us, req->delay_us, req->napi_weight, req->napi_events, req->flags);
}

void gen_vectors_only(Gen& g) {
    // ENGINE_DETACH, ENGINE_FLUSH, MECH_DETACH: a bdf and a vector set.
    static_assert(offsetof(irqlab_engine_detach, vectors) == IRQLAB_BDF_LEN);
    static_assert(offsetof(irqlab_engine_flush, vectors) == IRQLAB_BDF_LEN);
    static_assert(offsetof(irqlab_mech_detach, vectors) == IRQLAB_BDF_LEN);
    g.bdf(reinterpret_cast<char*>(g.call().image.data()));
    g.in_bitmap(IRQLAB_BDF_LEN, 0, g.nv());
}

void gen_engine_line(Gen& g) {
    auto* req = g.call().as<irqlab_engine_line>();
    g.bdf(req->bdf);
    req->vector = g.vector("vector");
    g.out_array(offsetof(irqlab_engine_line, count), 0, sizeof(uint64_t), g.world().nr_cpu_ids,
                false);
}

void gen_engine_softirqs(Gen& g) {
    auto* req = g.call().as<irqlab_engine_softirqs>();
    const uint32_t n = g.world().nr_cpu_ids;
    req->cpu = g.rng().chance(80) ? static_cast<uint32_t>(g.rng().below(n))
                                  : boundary32(g.rng(), {n, n - 1, n + 1});
    if (req->cpu >= n)
        g.call().violates(ERANGE);
    else
        g.call().must_succeed = true;
    g.call().note("cpu=%u", req->cpu);
}

void gen_engine_pool(Gen& g) {
    auto* req = g.call().as<irqlab_engine_pool>();
    req->index = g.rng().chance(80) ? static_cast<uint32_t>(g.rng().below(12))
                                    : boundary32(g.rng(), {64, 1u << 20});
    // Every engine has its per-CPU pools.
    if (req->index == 0)
        g.call().must_succeed = true;
    g.call().note("index=%u", req->index);
}

void gen_engine_workqueue(Gen& g) {
    auto* req = g.call().as<irqlab_engine_workqueue>();
    req->index = g.rng().chance(80) ? static_cast<uint32_t>(g.rng().below(12))
                                    : boundary32(g.rng(), {64, 1u << 20});
    g.call().note("index=%u", req->index);
}

void gen_engine_config(Gen& g) {
    auto* req = g.call().as<irqlab_engine_config>();
    Rng& r = g.rng();
    req->set =
        r.chance(90)
            ? r.pick<uint32_t>({0, IRQLAB_CONFIG_FORCED_THREADING, IRQLAB_CONFIG_WORKER_FAULT})
            : boundary32(r, {4, 3, 0x80000000});
    req->forced_threading = r.chance(80) ? r.pick<uint32_t>({0, 1}) : boundary32(r, {2});
    // Worker creation failing is a fault injection whose documented effect
    // is a stall of work without a rescuer: never switched on here.
    req->worker_fault = 0;
    req->pad = g.pad("pad");
    if (req->set &
        ~static_cast<uint32_t>(IRQLAB_CONFIG_FORCED_THREADING | IRQLAB_CONFIG_WORKER_FAULT))
        g.call().violates(EINVAL);
    if (!g.call().must_fail)
        g.call().must_succeed = true;
    g.call().note("set=%#x forced=%u", req->set, req->forced_threading);
}

void gen_mech_attach(Gen& g) {
    auto* req = g.call().as<irqlab_mech_attach>();
    Rng& r = g.rng();
    g.bdf(req->bdf);
    g.in_bitmap(offsetof(irqlab_mech_attach, vectors), 0, g.nv());
    req->mechanism = r.chance(90) ? static_cast<uint32_t>(r.below(IRQLAB_NR_MECHS))
                                  : boundary32(r, {IRQLAB_NR_MECHS, IRQLAB_MECH_NONE});
    req->path = r.chance(90) ? static_cast<uint32_t>(r.below(2)) : boundary32(r, {2});
    req->flags = r.chance(95) ? 0 : boundary32(r, {1});
    req->pad = g.pad("pad");
    if (req->mechanism >= IRQLAB_NR_MECHS || req->path >= IRQLAB_NR_PATHS || req->flags)
        g.call().violates(EINVAL);
    g.call().note("mech=%u path=%u flags=%#x", req->mechanism, req->path, req->flags);
}

void gen_mech_stats(Gen& g) {
    auto* req = g.call().as<irqlab_mech_stats>();
    g.bdf(req->bdf);
    req->vector = g.vector("vector");
}

void gen_hist_config(Gen& g) {
    auto* req = g.call().as<irqlab_hist_config>();
    Rng& r = g.rng();
    req->scale = r.chance(90) ? static_cast<uint32_t>(r.below(2)) : boundary32(r, {2});
    req->buckets = r.chance(85) ? 1 + static_cast<uint32_t>(r.below(IRQLAB_HIST_MAX_BUCKETS))
                                : boundary32(r, {0, IRQLAB_HIST_MAX_BUCKETS + 1});
    req->width_ns = r.chance(85) ? 1 + r.below(100000)
                                 : r.pick<uint64_t>({0, 1, 1000000000ull, 1000000001ull, ~0ull});
    if (req->scale > IRQLAB_HIST_LOG2 || !req->buckets || req->buckets > IRQLAB_HIST_MAX_BUCKETS ||
        !req->width_ns || req->width_ns > 1000000000ull)
        g.call().violates(EINVAL);
    g.call().note("scale=%u buckets=%u width=%llu", req->scale, req->buckets,
                  static_cast<unsigned long long>(req->width_ns));
}

void gen_hist_read(Gen& g) {
    auto* req = g.call().as<irqlab_hist>();
    Rng& r = g.rng();
    const uint32_t n = g.world().nr_cpu_ids;
    req->mechanism = r.chance(90) ? static_cast<uint32_t>(r.below(IRQLAB_NR_MECHS))
                                  : boundary32(r, {IRQLAB_NR_MECHS});
    req->path = r.chance(90) ? static_cast<uint32_t>(r.below(2)) : boundary32(r, {2});
    req->metric = r.chance(90) ? static_cast<uint32_t>(r.below(IRQLAB_NR_METRICS))
                               : boundary32(r, {IRQLAB_NR_METRICS});
    req->cpu = r.chance(85) ? static_cast<int32_t>(r.below(n + 1)) - 1
                            : static_cast<int32_t>(boundary32(r, {n, 0xfffffffe}));
    if (req->mechanism >= IRQLAB_NR_MECHS || req->path >= IRQLAB_NR_PATHS ||
        req->metric >= IRQLAB_NR_METRICS)
        g.call().violates(EINVAL);
    if (req->cpu < -1 || (req->cpu >= 0 && static_cast<uint32_t>(req->cpu) >= n))
        g.call().violates(ERANGE);
    if (!g.call().must_fail)
        g.call().must_succeed = true;
    g.call().note("mech=%u path=%u metric=%u cpu=%d", req->mechanism, req->path, req->metric,
                  req->cpu);
}

void gen_nothing(Gen& g) {
    g.call().must_succeed = true;
}

void (*const generators[])(Gen&) = {
    gen_nothing,
    gen_nothing,
    gen_claim,
    gen_release,
    gen_vector_info,
    gen_set_affinity,
    gen_fire,
    gen_bdf_only,
    gen_bdf_only,
    gen_stats,
    gen_bdf_only,
    gen_list,
    gen_device_caps,
    gen_engine_attach,
    gen_vectors_only,
    gen_engine_line,
    gen_engine_softirqs,
    gen_engine_pool,
    gen_engine_workqueue,
    gen_engine_config,
    gen_vectors_only,
    gen_mech_attach,
    gen_vectors_only,
    gen_mech_stats,
    gen_hist_config,
    gen_hist_read,
    gen_vector_route,
};
static_assert(sizeof(generators) / sizeof(generators[0]) == nr_commands);

// What the bdf decides before any other field is looked at
// (module/device_ioctl.c, module/claim.c).
void apply_bdf(Call& c) {
    const Shape shape = commands[c.command].shape;
    if (shape == Shape::plain || c.bdf == BdfClass::own)
        return;
    switch (c.bdf) {
    case BdfClass::unterminated:
        c.exactly(EINVAL);
        return;
    case BdfClass::empty:
        if (shape == Shape::stop) { // every device's run
            c.allowed = ErrSet{};
            c.must_fail = false;
            c.must_succeed = true;
            return;
        }
        c.exactly(EINVAL);
        return;
    case BdfClass::malformed:
        c.exactly(EINVAL);
        return;
    case BdfClass::foreign:
        if (shape == Shape::claim) {
            c.allowed = ErrSet{EINVAL, EOPNOTSUPP, EBUSY};
            c.must_fail = true;
        } else if (shape == Shape::release) {
            c.allowed = ErrSet{EINVAL, ENOENT};
            c.must_fail = true;
        } else {
            c.exactly(ENOENT);
        }
        return;
    case BdfClass::missing:
        if (shape == Shape::claim || shape == Shape::release) {
            c.allowed = ErrSet{EINVAL, ENODEV};
            c.must_fail = true;
        } else {
            c.exactly(ENOENT);
        }
        return;
    case BdfClass::own:
        return;
    }
}

bool terminated(const char* s, size_t n) {
    return ::strnlen(s, n) < n;
}

// Checks of what came back besides the errno; a non-null result names
// the problem.
const char* check_answer(const World& w, Call& c, const uint8_t* got, int err) {
    const bool ok = err == 0;
    switch (c.command) {
    case c_version: {
        const auto* v = reinterpret_cast<const irqlab_version*>(got);
        if (v->abi_major != IRQLAB_ABI_MAJOR || v->abi_minor != IRQLAB_ABI_MINOR)
            return "version: another ABI";
        if (!terminated(v->module_version, sizeof(v->module_version)) ||
            !terminated(v->kernel_release, sizeof(v->kernel_release)))
            return "version: unterminated string";
        for (uint8_t b : v->pad)
            if (b)
                return "version: pad not zero";
        return nullptr;
    }
    case c_info: {
        const auto* i = reinterpret_cast<const irqlab_info*>(got);
        if (i->nr_cpu_ids != w.nr_cpu_ids || i->max_vectors != IRQLAB_MAX_VECTORS ||
            i->max_bitmap_bits != IRQLAB_BITMAP_MAX_BITS || i->nr_devices > w.own.size())
            return "info: wrong sizes";
        return nullptr;
    }
    case c_claim: {
        const auto* cl = reinterpret_cast<const irqlab_claim*>(got);
        if (!terminated(cl->driver, sizeof(cl->driver)))
            return "claim: driver unterminated";
        if (ok && c.dev >= 0 &&
            (cl->nr_vectors != w.own[static_cast<size_t>(c.dev)].nr_vectors ||
             cl->table_size < cl->nr_vectors))
            return "claim: vector count changed";
        return nullptr;
    }
    case c_vector_info: {
        const auto* vi = reinterpret_cast<const irqlab_vector_info*>(got);
        if ((ok || err == e2big) && c.dev >= 0 &&
            (vi->nr_vectors != w.own[static_cast<size_t>(c.dev)].nr_vectors || !vi->irq ||
             (vi->triggers & ~0xeu)))
            return "vector_info: wrong answer";
        return nullptr;
    }
    case c_run_status: {
        const auto* rs = reinterpret_cast<const irqlab_run_status*>(got);
        if (ok && (rs->state > IRQLAB_RUN_FAILED || rs->pad))
            return "run_status: bad state";
        return nullptr;
    }
    case c_device_caps: {
        const auto* dc = reinterpret_cast<const irqlab_device_caps*>(got);
        if (!terminated(dc->name, sizeof(dc->name)) || (dc->triggers & ~0xeu) ||
            (dc->flags & ~IRQLAB_DEVICE_UNTESTED) || dc->pad)
            return "device_caps: bad answer";
        return nullptr;
    }
    case c_engine_line: {
        const auto* el = reinterpret_cast<const irqlab_engine_line*>(got);
        if (ok && (el->action < IRQLAB_ACTION_COUNT || el->action > IRQLAB_ACTION_NAPI ||
                   !el->virq || el->hold > IRQLAB_HOLD_SPIN ||
                   !terminated(el->workqueue_name, sizeof(el->workqueue_name)) ||
                   !terminated(el->thread_name, sizeof(el->thread_name))))
            return "engine_line: bad answer";
        return nullptr;
    }
    case c_engine_softirqs: {
        const auto* es = reinterpret_cast<const irqlab_engine_softirqs*>(got);
        if (!ok)
            return nullptr;
        if (es->nr_cpus != w.nr_cpu_ids)
            return "engine_softirqs: nr_cpus is not nr_cpu_ids";
        for (const auto& slot : es->slot)
            if (!terminated(slot.name, sizeof(slot.name)))
                return "engine_softirqs: unterminated name";
        return nullptr;
    }
    case c_engine_pool: {
        const auto* p = reinterpret_cast<const irqlab_engine_pool*>(got);
        if (ok && p->index >= p->nr_pools)
            return "engine_pool: index past nr_pools";
        return nullptr;
    }
    case c_engine_workqueue: {
        const auto* q = reinterpret_cast<const irqlab_engine_workqueue*>(got);
        if (ok && (q->index >= q->nr_workqueues || !terminated(q->name, sizeof(q->name))))
            return "engine_workqueue: bad answer";
        return nullptr;
    }
    case c_engine_config: {
        const auto* cf = reinterpret_cast<const irqlab_engine_config*>(got);
        if (ok && cf->worker_fault)
            return "engine_config: worker_fault on, nobody set it";
        return nullptr;
    }
    case c_mech_stats: {
        const auto* ms = reinterpret_cast<const irqlab_mech_stats*>(got);
        if (ok && (ms->attached > 1 || (ms->attached && (ms->mechanism >= IRQLAB_NR_MECHS ||
                                                         ms->path >= IRQLAB_NR_PATHS))))
            return "mech_stats: bad answer";
        return nullptr;
    }
    case c_vector_route: {
        const auto* vr = reinterpret_cast<const irqlab_vector_route*>(got);
        if (ok &&
            ((vr->flags & ~(IRQLAB_ROUTE_X86 | IRQLAB_ROUTE_REMAPPED | IRQLAB_ROUTE_LOGICAL)) ||
             vr->cpu < -1 || ((vr->flags & IRQLAB_ROUTE_X86) && vr->host_vector > 0xff)))
            return "vector_route: bad answer";
        return nullptr;
    }
    case c_hist_read: {
        const auto* h = reinterpret_cast<const irqlab_hist*>(got);
        if (ok && (h->config.scale > IRQLAB_HIST_LOG2 || !h->config.buckets ||
                   h->config.buckets > IRQLAB_HIST_MAX_BUCKETS || !h->config.width_ns))
            return "hist_read: bad layout";
        return nullptr;
    }
    default:
        return nullptr;
    }
}

// The buffer rule (uapi.h, struct irqlab_array) on what came back.
const char* check_array(const World& w, const ArrayPart& part, const uint8_t* request, int err) {
    irqlab_array arr{};
    std::memcpy(&arr, request + part.offset, sizeof(arr));
    const uint8_t* host = part.placed.host;
    const size_t reach = host ? static_cast<size_t>(part.placed.limit - host) : 0;
    auto untouched_from = [&](size_t from) {
        for (size_t i = from; i < reach; ++i)
            if (host[i] != canary)
                return false;
        return true;
    };
    if (!part.out) {
        if (host && !part.contents.empty() &&
            std::memcmp(host, part.contents.data(), part.contents.size()))
            return "an in array was written";
        return nullptr;
    }
    // An array with a pad is refused on its own (EINVAL), whatever the
    // call's outcome says about its other array.
    if (part.pad)
        return untouched_from(0) ? nullptr : "an array with a pad was written";
    // Otherwise only a fill or E2BIG says something about the buffer.
    if (err != 0 && err != e2big)
        return nullptr;
    if (part.needed == unknown_needed) { // LIST
        if (err == e2big) {
            if (arr.nr <= part.nr_in || arr.nr > part.needed_max)
                return "E2BIG without the count needed";
            return untouched_from(0) ? nullptr : "E2BIG wrote the buffer";
        }
        if (arr.nr > part.nr_in || arr.nr > part.needed_max)
            return "list: more entries than room or devices";
        for (uint32_t i = 0; host && i < arr.nr; ++i) {
            const char* name = reinterpret_cast<const char*>(host + i * IRQLAB_BDF_LEN);
            bool known = false;
            for (const OwnDevice& d : w.own)
                known = known || (terminated(name, IRQLAB_BDF_LEN) && d.bdf == name);
            if (!known)
                return "list: an entry is no device of ours";
        }
        return untouched_from(static_cast<size_t>(arr.nr) * IRQLAB_BDF_LEN)
                   ? nullptr
                   : "list: written past its entries";
    }
    const bool short_buffer = part.nr_in < part.needed;
    if (err == e2big && short_buffer) {
        if (arr.nr != part.needed)
            return "E2BIG without the count needed";
        return untouched_from(0) ? nullptr : "E2BIG wrote the buffer";
    }
    if (err == 0 || (err == e2big && !short_buffer)) {
        if (arr.nr != part.needed)
            return "nr out is not the count filled";
        const size_t filled = part.bitmap
                                  ? IRQLAB_BITMAP_WORDS(static_cast<size_t>(part.needed)) * 8
                                  : static_cast<size_t>(part.needed) * part.elem;
        return untouched_from(filled) ? nullptr : "written past the elements filled";
    }
    return nullptr;
}

void tally(const World& w, unsigned kind, int err, uint64_t ns, bool failed) {
    KindTally& t = w.shared->kinds[kind];
    t.calls.fetch_add(1, std::memory_order_relaxed);
    t.by_errno[err <= max_errno ? err : max_errno].fetch_add(1, std::memory_order_relaxed);
    uint64_t prev = t.max_ns.load(std::memory_order_relaxed);
    while (ns > prev && !t.max_ns.compare_exchange_weak(prev, ns))
        ;
    if (failed)
        t.failures.fetch_add(1, std::memory_order_relaxed);
}

void begin_call(const World& w, const CallId& id, unsigned kind) {
    if (id.worker >= max_workers)
        return;
    WorkerSlot& slot = w.shared->workers[id.worker];
    slot.call.store(id.call, std::memory_order_relaxed);
    slot.kind.store(kind, std::memory_order_relaxed);
    slot.started_ns.store(now_ns(), std::memory_order_release);
}

void end_call(const World& w, const CallId& id) {
    if (id.worker < max_workers)
        w.shared->workers[id.worker].started_ns.store(0, std::memory_order_release);
}

// Issues the call and checks the outcome; returns the errno (0: success).
int issue(const World& w, Call& c, int fd, const CallId& id) {
    begin_call(w, id, c.kind);
    const uint64_t start = now_ns();
    errno = 0;
    const int ret = ::ioctl(fd, c.word, c.req.addr);
    const int err = ret == 0 ? 0 : errno;
    const uint64_t took = now_ns() - start;
    end_call(w, id);

    const char* problem = nullptr;
    if (ret > 0)
        problem = "positive return";
    else if (err == 0 && c.must_fail)
        problem = "success where the ABI says it must fail";
    else if (err != 0 && c.must_succeed)
        problem = "failed where the ABI says it must succeed";
    else if (err != 0 && !c.allowed.has(err))
        problem = "an errno the ABI does not list for this call";

    // What came back, when the request is readable.
    if (!problem && c.req.reaches(c.size)) {
        const uint8_t* got = c.req.host;
        const Command& cmd = commands[c.command];
        const bool known = c.kind < kind_wrong_encoding;
        const bool write_only = _IOC_DIR(cmd.word) == _IOC_WRITE;
        const bool answers =
            known && !write_only && (err == 0 || err == e2big || c.command == c_claim);
        if (!answers && std::memcmp(got, c.image.data(), c.size))
            problem = "the request was written although nothing answers";
        if (!problem && known && (err == 0 || err == e2big || c.command == c_claim))
            problem = check_answer(w, c, got, err);
        for (const ArrayPart& part : c.arrays) {
            if (!problem && part.used && (part.out ? known : true))
                problem = check_array(w, part, got, err);
        }
    }
    // A sequence step counts for its command and for its sequence.
    tally(w, c.kind, err, took, problem != nullptr);
    if (id.seq_kind)
        tally(w, id.seq_kind, err, took, problem != nullptr);
    if (problem || w.verbose) {
        const bool print =
            w.verbose || w.shared->printed_failures.fetch_add(1) < max_printed_failures * 8u;
        if (print) {
            char allowed[256];
            c.allowed.format(allowed, sizeof(allowed));
            char step[32] = "";
            if (id.sub)
                std::snprintf(step, sizeof(step), ".%u", id.sub);
            say("# %s seed=%llu worker=%u call=%llu%s %s%s%s cmd=%#lx size=%zu req@%s: %s-> %s "
                "(allowed %s%s%s)%s%s",
                problem ? "FAIL" : "call", static_cast<unsigned long long>(w.seed), id.worker,
                static_cast<unsigned long long>(id.call), step,
                id.seq_kind ? kind_name(id.seq_kind) : "", id.seq_kind ? ": " : "",
                kind_name(c.kind), c.word, c.size, where_name(c.req.where), c.desc, errno_name(err),
                allowed, c.must_fail ? ", must fail" : "", c.must_succeed ? ", must succeed" : "",
                problem ? ": " : "", problem ? problem : "");
        }
    }
    return err;
}

// A call of a command with its request placed and the bdf's verdict.
void generate(const World& w, Arenas& arenas, Rng& rng, Call& c, unsigned command,
              unsigned bad_percent) {
    const Command& cmd = commands[command];
    c.kind = command;
    c.command = command;
    c.word = cmd.word;
    c.size = cmd.size;
    c.image.assign(cmd.size, 0);
    c.allowed = cmd.documented;
    Gen g{w, arenas, rng, c};
    generators[command](g);
    apply_bdf(c);
    c.req = place(arenas.request, c.size, pick_where(rng, bad_percent), rng);
    if (c.req.host) {
        const size_t reach = std::min(c.size, static_cast<size_t>(c.req.limit - c.req.host));
        std::memcpy(c.req.host, c.image.data(), reach);
    }
    // Each array's EFAULT is allowed only where it was placed badly;
    // the request itself comes first.
    if (!c.req.reaches(c.size)) {
        c.exactly(EFAULT);
        c.note("(request unreadable)");
    }
}

} // namespace

unsigned command_count() {
    return nr_commands;
}

unsigned long command_word(unsigned kind) {
    return kind < nr_commands ? commands[kind].word : 0;
}

const char* kind_name(unsigned kind) {
    if (kind < nr_commands)
        return commands[kind].name;
    switch (kind) {
    case kind_wrong_encoding:
        return "wrong_size_or_direction";
    case kind_unknown_command:
        return "unknown_command";
    case kind_seq_claim:
        return "seq_claim_cycle";
    case kind_seq_engine:
        return "seq_engine_cycle";
    case kind_seq_mech:
        return "seq_mech_cycle";
    case kind_seq_fire:
        return "seq_fire_cycle";
    case kind_seq_fork_fd:
        return "seq_fd_across_fork";
    default:
        return "?";
    }
}

// Well-formed requests for the sequences: valid fields only, the outcome
// checked against the command's errnos (the state is not this worker's).
namespace {

class Builder {
public:
    Builder(const World& w, Arenas& arenas, Rng& rng, unsigned command, unsigned dev)
        : w_{w}, arenas_{arenas}, rng_{rng}, dev_{dev} {
        const Command& cmd = commands[command];
        c_.kind = command;
        c_.command = command;
        c_.word = cmd.word;
        c_.size = cmd.size;
        c_.image.assign(cmd.size, 0);
        c_.allowed = cmd.documented;
        c_.dev = static_cast<int>(dev);
        if (cmd.shape != Shape::plain) {
            std::snprintf(reinterpret_cast<char*>(c_.image.data()), IRQLAB_BDF_LEN, "%s",
                          w.own[dev].bdf.c_str());
            c_.note("bdf=%s ", w.own[dev].bdf.c_str());
        }
    }

    Call& call() { return c_; }
    template <typename T>
    T* req() {
        return c_.as<T>();
    }
    Rng& rng() { return rng_; }
    uint32_t nv() const { return w_.own[dev_].nr_vectors; }

    void bitmap(size_t offset, unsigned slot, const std::vector<uint32_t>& bits) {
        ArrayPart& part = c_.arrays[slot];
        uint32_t nr = 1;
        for (uint32_t b : bits)
            nr = std::max(nr, b + 1);
        part.used = true;
        part.offset = offset;
        part.bitmap = true;
        part.nr_in = nr;
        part.bytes = IRQLAB_BITMAP_WORDS(nr) * 8;
        part.placed = place(arenas_.array[slot], part.bytes,
                            rng_.pick({Where::start, Where::at_end, Where::misaligned}), rng_);
        std::vector<uint64_t> words(IRQLAB_BITMAP_WORDS(nr));
        for (uint32_t b : bits)
            words[b / 64] |= uint64_t{1} << (b % 64);
        std::memcpy(part.placed.host, words.data(), part.bytes);
        part.contents.assign(part.placed.host, part.placed.host + part.bytes);
        const irqlab_array arr{part.placed.addr, nr, 0};
        std::memcpy(c_.image.data() + offset, &arr, sizeof(arr));
        c_.note("set{nr=%u n=%zu} ", nr, bits.size());
    }

    void out(size_t offset, unsigned slot, size_t elem, uint32_t needed, bool is_bitmap) {
        ArrayPart& part = c_.arrays[slot];
        part.used = true;
        part.out = true;
        part.offset = offset;
        part.bitmap = is_bitmap;
        part.elem = elem;
        part.needed = needed;
        part.nr_in = needed;
        part.bytes = is_bitmap ? IRQLAB_BITMAP_WORDS(needed) * 8 : needed * elem;
        part.placed = place(arenas_.array[slot], part.bytes, Where::at_end, rng_);
        std::memset(part.placed.host, canary,
                    static_cast<size_t>(part.placed.limit - part.placed.host));
        const irqlab_array arr{part.placed.addr, needed, 0};
        std::memcpy(c_.image.data() + offset, &arr, sizeof(arr));
    }

    int issue_on(int fd, const CallId& id) {
        c_.req = place(arenas_.request, c_.size, rng_.pick({Where::start, Where::at_end}), rng_);
        std::memcpy(c_.req.host, c_.image.data(), c_.size);
        return issue(w_, c_, fd, id);
    }

private:
    const World& w_;
    Arenas& arenas_;
    Rng& rng_;
    unsigned dev_;
    Call c_;
};

// Some of the device's vectors: one, a few, or all.
std::vector<uint32_t> some_vectors(Rng& rng, uint32_t nv) {
    std::vector<uint32_t> set;
    const unsigned roll = static_cast<unsigned>(rng.below(10));
    if (roll < 6) {
        set.push_back(static_cast<uint32_t>(rng.below(nv)));
    } else if (roll < 9) {
        for (uint32_t v = 0; v < nv; ++v)
            if (rng.chance(40))
                set.push_back(v);
        if (set.empty())
            set.push_back(0);
    } else {
        for (uint32_t v = 0; v < nv; ++v)
            set.push_back(v);
    }
    return set;
}

// A valid engine configuration for one of the actions.
void valid_engine_config(Rng& r, irqlab_engine_attach* a) {
    a->action = 1 + static_cast<uint32_t>(r.below(8));
    a->flow = static_cast<uint32_t>(r.below(3));
    a->shared_none = static_cast<uint32_t>(r.below(3));
    a->softirq = r.pick<uint32_t>({2, 3, 4, 5, 7, 8, 9});
    a->softirq_rounds = static_cast<uint32_t>(r.below(4));
    a->flags = r.chance(30) ? IRQLAB_ATTACH_KEEP : 0;
    if (a->action == IRQLAB_ACTION_WORK) {
        a->work = static_cast<uint32_t>(r.below(6));
        a->delay_us = static_cast<uint32_t>(r.below(500));
        if (a->work != IRQLAB_WORK_BH && r.chance(30))
            a->flags |= IRQLAB_ATTACH_MEM_RECLAIM;
    }
    if (a->action == IRQLAB_ACTION_THREAD && r.chance(50))
        a->flags |= IRQLAB_ATTACH_ONESHOT;
    if ((a->action == IRQLAB_ACTION_WORK || a->action == IRQLAB_ACTION_THREAD) && r.chance(40)) {
        a->hold = r.pick<uint32_t>({IRQLAB_HOLD_SLEEP, IRQLAB_HOLD_SPIN});
        if (a->action == IRQLAB_ACTION_WORK && a->work == IRQLAB_WORK_BH)
            a->hold = IRQLAB_HOLD_SPIN;
        a->hold_us = static_cast<uint32_t>(r.below(200));
    }
    if (a->action == IRQLAB_ACTION_NAPI) {
        a->napi_weight = static_cast<uint32_t>(r.below(65));
        a->napi_events = static_cast<uint32_t>(r.below(130));
    }
}

} // namespace

int valid_call(const World& w, Arenas& arenas, Rng& rng, int fd, unsigned kind, unsigned dev,
               const CallId& id, const std::vector<uint32_t>& vectors) {
    Builder b{w, arenas, rng, kind, dev};
    const uint32_t cpus = w.nr_cpu_ids;
    const uint32_t v = vectors.empty() ? 0 : vectors[rng.below(vectors.size())];
    switch (kind) {
    case c_claim:
        b.req<irqlab_claim>()->flags =
            rng.pick<uint32_t>({0, 0, IRQLAB_CLAIM_SPREAD, IRQLAB_CLAIM_FORCE});
        break;
    case c_release:
        b.req<irqlab_release>()->flags = rng.chance(20) ? IRQLAB_RELEASE_REPROBE : 0;
        break;
    case c_vector_info:
        b.req<irqlab_vector_info>()->vector = v;
        b.out(offsetof(irqlab_vector_info, affinity), 0, 8, cpus, true);
        b.out(offsetof(irqlab_vector_info, effective_affinity), 1, 8, cpus, true);
        break;
    case c_vector_route:
        b.req<irqlab_vector_route>()->vector = v;
        break;
    case c_set_affinity: {
        b.req<irqlab_affinity>()->vector = v;
        std::vector<uint32_t> set;
        for (uint32_t cpu : w.online)
            if (rng.chance(50))
                set.push_back(cpu);
        if (set.empty() && !w.online.empty())
            set.push_back(w.online[rng.below(w.online.size())]);
        b.bitmap(offsetof(irqlab_affinity, cpus), 0, set);
        break;
    }
    case c_fire: {
        auto* f = b.req<irqlab_fire>();
        b.bitmap(offsetof(irqlab_fire, vectors), 0, vectors);
        f->count = 1 + rng.below(rng.chance(70) ? 50 : 2000);
        f->rate_hz = rng.pick<uint32_t>({0, 0, 5000, 50000});
        f->trigger = rng.pick<uint32_t>({IRQLAB_TRIGGER_DEVICE, IRQLAB_TRIGGER_IPI});
        f->cpu = rng.chance(70) || w.online.empty()
                     ? -1
                     : static_cast<int32_t>(w.online[rng.below(w.online.size())]);
        f->flags = rng.chance(15) ? IRQLAB_FIRE_DETACHED : 0;
        b.call().note("count=%llu rate=%u trigger=%u cpu=%d flags=%u",
                      static_cast<unsigned long long>(f->count), f->rate_hz, f->trigger, f->cpu,
                      f->flags);
        break;
    }
    case c_stats:
        b.req<irqlab_vector_stats>()->vector = v;
        b.out(offsetof(irqlab_vector_stats, cpus), 0, sizeof(irqlab_counters), cpus, false);
        break;
    case c_engine_attach: {
        auto* a = b.req<irqlab_engine_attach>();
        b.bitmap(offsetof(irqlab_engine_attach, vectors), 0, vectors);
        valid_engine_config(rng, a);
        b.call().note("action=%u work=%u hold=%u/%u flags=%#x", a->action, a->work, a->hold,
                      a->hold_us, a->flags);
        break;
    }
    case c_engine_detach:
    case c_engine_flush:
    case c_mech_detach:
        b.bitmap(IRQLAB_BDF_LEN, 0, vectors);
        break;
    case c_engine_line:
        b.req<irqlab_engine_line>()->vector = v;
        b.out(offsetof(irqlab_engine_line, count), 0, sizeof(uint64_t), cpus, false);
        break;
    case c_mech_attach: {
        auto* m = b.req<irqlab_mech_attach>();
        b.bitmap(offsetof(irqlab_mech_attach, vectors), 0, vectors);
        m->mechanism = static_cast<uint32_t>(rng.below(IRQLAB_NR_MECHS));
        m->path = static_cast<uint32_t>(rng.below(IRQLAB_NR_PATHS));
        b.call().note("mech=%u path=%u", m->mechanism, m->path);
        break;
    }
    case c_mech_stats:
        b.req<irqlab_mech_stats>()->vector = v;
        break;
    case c_hist_config: {
        auto* h = b.req<irqlab_hist_config>();
        h->scale = static_cast<uint32_t>(rng.below(2));
        h->buckets = 1 + static_cast<uint32_t>(rng.below(IRQLAB_HIST_MAX_BUCKETS));
        h->width_ns = 1 + rng.below(100000);
        break;
    }
    case c_hist_read: {
        auto* h = b.req<irqlab_hist>();
        h->mechanism = static_cast<uint32_t>(rng.below(IRQLAB_NR_MECHS));
        h->path = static_cast<uint32_t>(rng.below(IRQLAB_NR_PATHS));
        h->metric = static_cast<uint32_t>(rng.below(IRQLAB_NR_METRICS));
        h->cpu = static_cast<int32_t>(rng.below(cpus + 1)) - 1;
        b.call().must_succeed = true;
        break;
    }
    default: // RUN_STATUS, STOP, RESET: the bdf alone
        break;
    }
    return b.issue_on(fd, id);
}

void run_sequence(const World& w, Arenas& arenas, Rng& rng, int fd, unsigned seq_kind,
                  const CallId& id) {
    if (w.own.empty())
        return;
    const unsigned dev = static_cast<unsigned>(rng.below(w.own.size()));
    const std::vector<uint32_t> vectors = some_vectors(rng, w.own[dev].nr_vectors);
    CallId step = id;
    step.seq_kind = seq_kind;
    auto call = [&](unsigned command) {
        ++step.sub;
        return valid_call(w, arenas, rng, fd, command, dev, step, vectors);
    };
    switch (seq_kind) {
    case kind_seq_claim:
        // Leaves the device claimed but for a short window, mostly.
        call(c_release);
        call(c_claim);
        call(c_vector_info);
        call(c_fire);
        call(c_run_status);
        if (rng.chance(50))
            call(c_stop);
        call(c_stats);
        if (rng.chance(20)) {
            call(c_release);
            call(c_claim);
        }
        break;
    case kind_seq_engine:
        call(c_engine_attach);
        call(c_fire);
        call(c_engine_line);
        if (rng.chance(60))
            call(c_engine_flush);
        call(c_run_status);
        if (rng.chance(80))
            call(c_engine_detach);
        if (rng.chance(50))
            call(c_stop);
        break;
    case kind_seq_mech:
        call(c_hist_config);
        call(c_mech_attach);
        call(c_fire);
        call(c_mech_stats);
        call(c_hist_read);
        if (rng.chance(80))
            call(c_mech_detach);
        call(c_hist_read);
        break;
    case kind_seq_fire:
        call(c_set_affinity);
        call(c_vector_info);
        call(c_fire);
        for (unsigned i = 0, n = static_cast<unsigned>(rng.below(4)); i < n; ++i)
            call(c_run_status);
        call(c_stop);
        call(c_stats);
        call(c_reset);
        break;
    default:
        break;
    }
}

void fuzz_one(const World& w, Arenas& arenas, Rng& rng, int fd, unsigned kind, const CallId& id) {
    Call c;
    if (kind < nr_commands) {
        generate(w, arenas, rng, c, kind, 6);
        issue(w, c, fd, id);
        return;
    }
    // Another size or direction of a known command: EINVAL before anything.
    const unsigned command = static_cast<unsigned>(rng.below(nr_commands));
    generate(w, arenas, rng, c, command, 20);
    c.kind = kind;
    const unsigned long word = commands[command].word;
    if (kind == kind_wrong_encoding) {
        unsigned dir = static_cast<unsigned>(
            rng.pick<int>({_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE}));
        size_t size = rng.chance(50)
                          ? _IOC_SIZE(word)
                          : rng.pick<size_t>({0, 1, _IOC_SIZE(word) - 1, _IOC_SIZE(word) + 1,
                                              _IOC_SIZE(word) + 8, _IOC_SIZEMASK});
        if (dir == _IOC_DIR(word) && size == _IOC_SIZE(word))
            size = _IOC_SIZE(word) == _IOC_SIZEMASK ? 0 : _IOC_SIZE(word) + 4;
        c.word = _IOC(dir, IRQLAB_IOC_MAGIC, _IOC_NR(word), size);
        c.exactly(EINVAL);
        c.note("(as %s, dir %u size %zu)", commands[command].name, dir, size);
    } else {
        // A number nobody defined, or another driver's magic: ENOTTY.
        unsigned nr;
        do {
            nr = static_cast<unsigned>(rng.below(256));
        } while (std::any_of(std::begin(commands), std::end(commands),
                             [&](const Command& cmd) { return _IOC_NR(cmd.word) == nr; }));
        // Not 'T' with no size nor magic 0: the VFS itself answers some of
        // those (FIONBIO, FIBMAP, FIGETBSZ) before the driver sees them.
        const unsigned magic =
            rng.chance(70) ? IRQLAB_IOC_MAGIC : rng.pick<unsigned>({'V', 0xE0, 0xE2, 0xfe});
        if (magic != IRQLAB_IOC_MAGIC)
            nr = _IOC_NR(word);
        c.word = _IOC(rng.below(4), magic, nr, 1 + rng.below(_IOC_SIZEMASK));
        c.exactly(ENOTTY);
        c.note("(magic %#x nr %#x)", magic, nr);
    }
    issue(w, c, fd, id);
}

} // namespace fuzz
