// GoogleTest main that reports in KTAP, one line per case, so that every
// tier of 'make check' speaks the same format. The default printer goes;
// a failed assertion's details become KTAP diagnostic lines ("# ...").
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

class KtapPrinter : public testing::EmptyTestEventListener {
public:
    explicit KtapPrinter(std::FILE* out) : out_{out} {}

    void OnTestProgramStart(const testing::UnitTest& unit) override {
        std::fprintf(out_, "KTAP version 1\n1..%d\n", unit.test_to_run_count());
    }
    void OnTestPartResult(const testing::TestPartResult& part) override {
        if (!part.failed())
            return;
        std::fprintf(out_, "# %s:%d: %s\n", part.file_name() ? part.file_name() : "?",
                     part.line_number(), part.summary());
    }
    void OnTestEnd(const testing::TestInfo& info) override {
        const testing::TestResult& result = *info.result();
        const std::string name = std::string{info.test_suite_name()} + "." + info.name();
        ++index_;
        if (result.Skipped())
            std::fprintf(out_, "ok %d %s # SKIP\n", index_, name.c_str());
        else
            std::fprintf(out_, "%s %d %s\n", result.Passed() ? "ok" : "not ok", index_,
                         name.c_str());
        std::fflush(out_);
    }
    void OnTestProgramEnd(const testing::UnitTest& unit) override {
        std::fprintf(out_, "# %d cases passed, %d failed, %d skipped\n",
                     unit.successful_test_count(), unit.failed_test_count(),
                     unit.skipped_test_count());
    }

private:
    std::FILE* out_;
    int index_ = 0;
};

} // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new KtapPrinter{stdout});
    // Under CTest, stdout goes to CTest's log; 'make check' reads this copy.
    std::FILE* copy = nullptr;
    if (const char* path = std::getenv("IRQLAB_KTAP_OUT")) {
        copy = std::fopen(path, "w");
        if (!copy) {
            std::perror(path);
            return 1;
        }
        listeners.Append(new KtapPrinter{copy});
    }
    const int result = RUN_ALL_TESTS();
    if (copy)
        std::fclose(copy);
    return result;
}
