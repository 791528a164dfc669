// Bounded text for thread names and log lines: the core has no libc, so no
// snprintf. Appends what fits and keeps the buffer NUL-terminated.
#pragma once

namespace irqlab::base {

class TextBuilder {
public:
    template <unsigned long N>
    explicit TextBuilder(char (&buffer)[N]) : out_{buffer}, size_{N} {
        out_[0] = '\0';
    }

    TextBuilder& text(const char* text) {
        for (; text && *text && len_ + 1 < size_; ++text)
            out_[len_++] = *text;
        out_[len_] = '\0';
        return *this;
    }

    TextBuilder& number(unsigned long value) {
        char digits[20];
        unsigned count = 0;
        do {
            digits[count++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value);
        while (count && len_ + 1 < size_)
            out_[len_++] = digits[--count];
        out_[len_] = '\0';
        return *this;
    }

private:
    char* out_;
    unsigned long size_;
    unsigned long len_ = 0;
};

} // namespace irqlab::base
