// The module's histogram layout (include/irqlab/uapi.h, "Histograms"):
// bucket bounds and percentiles, as the compare reports read them.
#include "compare_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace irqlab::cli::compare {

namespace {

constexpr uint64_t no_bound = std::numeric_limits<uint64_t>::max();

// The top buckets of a wide log2 or linear layout can lie past 2^64 ns; they
// saturate instead of wrapping around to small bounds.
uint64_t saturating_multiply(uint64_t a, uint64_t b) {
    return b != 0 && a > no_bound / b ? no_bound : a * b;
}

uint64_t saturating_shift(uint64_t value, unsigned shift) {
    if (value == 0)
        return 0;
    return shift >= 64 || value > (no_bound >> shift) ? no_bound : value << shift;
}

} // namespace

uint64_t Histogram::bucket_low_ns(unsigned i) const {
    if (config.scale == IRQLAB_HIST_LOG2)
        return i == 0 ? 0 : saturating_shift(config.width_ns, i - 1);
    return saturating_multiply(i, config.width_ns);
}

uint64_t Histogram::bucket_high_ns(unsigned i) const {
    if (config.scale == IRQLAB_HIST_LOG2)
        return saturating_shift(config.width_ns, i);
    return saturating_multiply(uint64_t{i} + 1, config.width_ns);
}

Histogram::Rank Histogram::rank_of(double q) const {
    // The rank of the q-quantile, 1..count. q * count carries the rounding
    // error of q (0.99 * 100 may come out as 99.000000000000014), which
    // must not push the rank one sample further.
    const double exact = q * static_cast<double>(count);
    const double rounded = std::ceil(exact - exact * 1e-12);
    Rank rank;
    rank.wanted = std::clamp<uint64_t>(rounded < 1 ? 1 : static_cast<uint64_t>(rounded), 1, count);
    for (rank.bucket = 0; rank.bucket < buckets.size(); ++rank.bucket) {
        if (rank.before + buckets[rank.bucket] >= rank.wanted)
            return rank;
        rank.before += buckets[rank.bucket];
    }
    return rank; // the overflow
}

int Histogram::percentile_bucket(double q) const {
    return count ? static_cast<int>(rank_of(q).bucket) : -1;
}

uint64_t Histogram::percentile_ns(double q) const {
    if (count == 0)
        return 0;
    const Rank rank = rank_of(q);
    if (rank.bucket == buckets.size())
        return max_ns; // in the overflow: its largest sample is all that is known
    // Linear within the bucket, whose ends are narrowed to what was seen,
    // as Prometheus' histogram_quantile() interpolates.
    const uint64_t low = std::max(bucket_low_ns(rank.bucket), min_ns);
    const uint64_t high = std::max(std::min(bucket_high_ns(rank.bucket), max_ns), low);
    const double fraction =
        static_cast<double>(rank.wanted - rank.before) / static_cast<double>(buckets[rank.bucket]);
    return low + static_cast<uint64_t>(std::llround(static_cast<double>(high - low) * fraction));
}

Histogram from_uapi(const irqlab_hist& hist) {
    Histogram h;
    h.config = hist.config;
    h.count = hist.count;
    h.sum_ns = hist.sum_ns;
    h.min_ns = hist.min_ns;
    h.max_ns = hist.max_ns;
    h.overflow = hist.overflow;
    // A module that reports more buckets than the ABI carries is trusted
    // only as far as the array goes.
    const unsigned n = std::min<unsigned>(hist.config.buckets, IRQLAB_HIST_MAX_BUCKETS);
    h.buckets.assign(hist.bucket, hist.bucket + n);
    return h;
}

} // namespace irqlab::cli::compare
