#include "bitmap.h"

#include <bit>

namespace irqlab::cli {

Bitmap::Bitmap(unsigned bits) : words_(IRQLAB_BITMAP_WORDS(bits)), bits_{bits} {}

Bitmap Bitmap::of(const std::vector<unsigned>& ids, unsigned bits) {
    Bitmap set{bits};
    for (const unsigned id : ids)
        set.set(id);
    return set;
}

void Bitmap::resize(unsigned bits) {
    words_.resize(IRQLAB_BITMAP_WORDS(bits));
    bits_ = bits;
    // Bits past the end are not part of the set.
    if (bits % 64 && !words_.empty())
        words_.back() &= (uint64_t{1} << (bits % 64)) - 1;
}

void Bitmap::set(unsigned id) {
    if (id >= bits_)
        resize(id + 1);
    words_[id / 64] |= uint64_t{1} << (id % 64);
}

bool Bitmap::test(unsigned id) const {
    return id < bits_ && (words_[id / 64] >> (id % 64) & 1);
}

bool Bitmap::empty() const {
    return count() == 0;
}

unsigned Bitmap::count() const {
    unsigned n = 0;
    for (const uint64_t word : words_)
        n += static_cast<unsigned>(std::popcount(word));
    return n;
}

std::vector<unsigned> Bitmap::ids() const {
    std::vector<unsigned> ids;
    for (unsigned id = 0; id < bits_; ++id) {
        if (test(id))
            ids.push_back(id);
    }
    return ids;
}

Bitmap Bitmap::minus(const Bitmap& other) const {
    Bitmap rest{bits_};
    for (const unsigned id : ids()) {
        if (!other.test(id))
            rest.set(id);
    }
    return rest;
}

irqlab_array Bitmap::in() const {
    return irqlab_array{reinterpret_cast<uintptr_t>(words_.data()), bits_, 0};
}

irqlab_array Bitmap::out() {
    return irqlab_array{reinterpret_cast<uintptr_t>(words_.data()), bits_, 0};
}

} // namespace irqlab::cli
