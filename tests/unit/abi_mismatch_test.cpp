// The CLI's refusal of a module of another ABI major names both versions.
#include "userspace/src/device.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace irqlab::cli {
namespace {

TEST(AbiMismatch, NamesBothVersionsAndTheFix) {
    irqlab_version module{};
    module.abi_major = IRQLAB_ABI_MAJOR + 1;
    module.abi_minor = 5;
    const std::string message = abi_mismatch(module);
    EXPECT_NE(message.find(fmt::format("CLI speaks ABI {}.x", IRQLAB_ABI_MAJOR)), std::string::npos)
        << message;
    EXPECT_NE(message.find(fmt::format("module speaks ABI {}.5", IRQLAB_ABI_MAJOR + 1)),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("load the matching irqlab.ko"), std::string::npos) << message;
}

// A 1.x module (64-entry arrays, u64 masks) under a newer CLI.
TEST(AbiMismatch, RefusesTheFixedLimitAbi) {
    irqlab_version module{};
    module.abi_major = 1;
    module.abi_minor = 6;
    const std::string message = abi_mismatch(module);
    EXPECT_NE(message.find(fmt::format("CLI speaks ABI {}.x", IRQLAB_ABI_MAJOR)), std::string::npos)
        << message;
    EXPECT_NE(message.find("module speaks ABI 1.6"), std::string::npos) << message;
}

} // namespace
} // namespace irqlab::cli
