// Runs the cases of tests/cases/ hosted, under the same suite and case
// names as KUnit reports them in the debug kernel.
#include "tests/cases/ktest_abi.h"

#include <gtest/gtest.h>

namespace shared_cases_test {

void report_failure(void*, const char* file, int line, const char* what) {
    ADD_FAILURE_AT(file, line) << "expected " << what;
}

class SharedCase : public testing::Test {
public:
    explicit SharedCase(const irqlab_ktest_case& c) : case_{c} {}
    void TestBody() override {
        irqlab_ktest_ctx ctx{report_failure, nullptr, 0};
        case_.run(&ctx);
    }

private:
    const irqlab_ktest_case& case_;
};

bool register_suite(const irqlab_ktest_suite& suite) {
    for (unsigned i = 0; i < suite.count; ++i) {
        const irqlab_ktest_case& c = suite.cases[i];
        testing::RegisterTest(suite.name, c.name, nullptr, nullptr, __FILE__, __LINE__,
                              [&c]() -> testing::Test* { return new SharedCase{c}; });
    }
    return true;
}

// Hosted code may initialise dynamically; only the core may not.
const bool registered =
    register_suite(irqlab_ktest_cxxrt_suite) && register_suite(irqlab_ktest_platform_suite);
const bool workqueue_registered = register_suite(irqlab_ktest_workqueue_suite);
const bool timer_registered = register_suite(irqlab_ktest_timer_suite);
const bool napi_registered = register_suite(irqlab_ktest_napi_suite);
const bool irqthread_registered = register_suite(irqlab_ktest_irqthread_suite);
const bool softirq_registered = register_suite(irqlab_ktest_softirq_suite);
const bool hotplug_registered = register_suite(irqlab_ktest_hotplug_suite);

} // namespace shared_cases_test
