// A set of CPU or vector ids in the ABI's bitmap layout (uapi.h, struct
// irqlab_array): __u64 words, bit i in word i / 64, of any width.
#pragma once

#include "irqlab/uapi.h"

#include <cstdint>
#include <vector>

namespace irqlab::cli {

class Bitmap {
public:
    Bitmap() = default;
    // 'bits' ids, none set.
    explicit Bitmap(unsigned bits);
    // The ids given, in a set of 'bits' ids (at least one past the largest).
    static Bitmap of(const std::vector<unsigned>& ids, unsigned bits = 0);

    unsigned bits() const { return bits_; }
    // Setting an id at or past bits() widens the set.
    void set(unsigned id);
    bool test(unsigned id) const;
    bool empty() const;
    unsigned count() const;
    std::vector<unsigned> ids() const;
    // Ids of this set that 'other' lacks.
    Bitmap minus(const Bitmap& other) const;

    // The ABI's view: a set given to the module. Valid while *this lives
    // and is not changed.
    irqlab_array in() const;
    // A buffer of bits() ids for the module to fill; after the call,
    // resize(array.nr) keeps what it wrote.
    irqlab_array out();
    void resize(unsigned bits);

private:
    std::vector<uint64_t> words_;
    unsigned bits_ = 0;
};

// 'elements' as an out array for the module to fill (uapi.h): its size
// is what the buffer holds.
template <typename T>
irqlab_array out_array(std::vector<T>& elements) {
    return irqlab_array{reinterpret_cast<uintptr_t>(elements.data()),
                        static_cast<uint32_t>(elements.size()), 0};
}

} // namespace irqlab::cli
