// Writing test cases once for both runners (see ktest_abi.h): the case
// signature, expectations that report through the runner, and the suite
// table helper.
#pragma once

#include "tests/cases/ktest_abi.h"

namespace ktest {

inline void fail(irqlab_ktest_ctx* ctx, const char* file, int line, const char* what) {
    ++ctx->failures;
    ctx->fail(ctx->sink, file, line, what);
}

template <unsigned long N>
constexpr irqlab_ktest_suite suite(const char* name, const irqlab_ktest_case (&cases)[N]) {
    return {name, cases, N};
}

} // namespace ktest

// Records a failure and goes on.
#define KT_EXPECT(ctx, cond)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ktest::fail((ctx), __FILE__, __LINE__, #cond);                                         \
    } while (0)

// Records a failure and ends the case.
#define KT_ASSERT(ctx, cond)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest::fail((ctx), __FILE__, __LINE__, #cond);                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)
