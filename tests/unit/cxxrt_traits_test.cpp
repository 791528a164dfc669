#include "cxxrt/traits.h"
#include "cxxrt/utility.h"

#include <gtest/gtest.h>

namespace {

// The traits are compile-time facts; the test cases make them visible in
// the report and keep them from being compiled out of the suite.
static_assert(cxxrt::is_same_v<cxxrt::remove_reference_t<int&&>, int>);
static_assert(cxxrt::is_same_v<cxxrt::remove_cv_t<const volatile long>, long>);
static_assert(cxxrt::is_integral_v<const unsigned char>);
static_assert(!cxxrt::is_integral_v<float>);
static_assert(!cxxrt::is_integral_v<int*>);
static_assert(cxxrt::is_same_v<cxxrt::conditional_t<true, int, long>, int>);
static_assert(cxxrt::implicitly_convertible_to<int*, const int*>);
static_assert(!cxxrt::implicitly_convertible_to<const int*, int*>);

struct Base {};
struct Child : Base {};
static_assert(cxxrt::is_base_of_v<Base, Child>);
static_assert(!cxxrt::is_base_of_v<Child, Base>);

enum class Small : unsigned char { a = 3 };
static_assert(cxxrt::is_same_v<cxxrt::underlying_type_t<Small>, unsigned char>);

struct MoveOnly {
    int value;
    explicit MoveOnly(int v) : value{v} {}
    MoveOnly(MoveOnly&& other) : value{cxxrt::exchange(other.value, -1)} {}
    MoveOnly& operator=(MoveOnly&& other) {
        value = cxxrt::exchange(other.value, -1);
        return *this;
    }
};

TEST(CxxrtUtility, MoveLeavesTheSourceMovedFrom) {
    MoveOnly a{5};
    MoveOnly b{cxxrt::move(a)};
    EXPECT_EQ(b.value, 5);
    EXPECT_EQ(a.value, -1);
}

TEST(CxxrtUtility, SwapAndExchange) {
    int a = 1, b = 2;
    cxxrt::swap(a, b);
    EXPECT_EQ(a, 2);
    EXPECT_EQ(b, 1);
    EXPECT_EQ(cxxrt::exchange(a, 9), 2);
    EXPECT_EQ(a, 9);
}

template <typename T>
int category(T&&) {
    return cxxrt::is_lvalue_reference_v<T> ? 1 : 2;
}
template <typename T>
int relay(T&& value) {
    return category(cxxrt::forward<T>(value));
}

TEST(CxxrtUtility, ForwardKeepsTheValueCategory) {
    int x = 0;
    EXPECT_EQ(relay(x), 1);
    EXPECT_EQ(relay(3), 2);
}

TEST(CxxrtUtility, MinMaxSizeToUnderlying) {
    EXPECT_EQ(cxxrt::min(3, 4), 3);
    EXPECT_EQ(cxxrt::max(3, 4), 4);
    const int arr[7] = {};
    EXPECT_EQ(cxxrt::size(arr), 7u);
    EXPECT_EQ(cxxrt::to_underlying(Small::a), 3);
}

} // namespace
