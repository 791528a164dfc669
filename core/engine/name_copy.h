// Names copied into the fixed fields of the C API's statistics.
#pragma once

#include "irqlab/core.h"

namespace irqlab::engine {

// Copies 'name' (null: empty) into 'out', cut to fit, NUL-terminated.
inline void copy_name(char (&out)[IRQLAB_ENGINE_NAME_LEN], const char* name) {
    unsigned i = 0;
    for (; name && name[i] && i + 1 < IRQLAB_ENGINE_NAME_LEN; ++i)
        out[i] = name[i];
    out[i] = '\0';
}

} // namespace irqlab::engine
