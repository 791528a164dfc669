// The small part of <type_traits> the core needs, built on compiler builtins
// (no libstdc++ header works under -nostdinc in the kernel build).
#pragma once

namespace cxxrt {

template <typename T, T v>
struct integral_constant {
    static constexpr T value = v;
};
using true_type = integral_constant<bool, true>;
using false_type = integral_constant<bool, false>;

template <typename A, typename B>
inline constexpr bool is_same_v = false;
template <typename A>
inline constexpr bool is_same_v<A, A> = true;

template <typename T>
struct remove_reference {
    using type = T;
};
template <typename T>
struct remove_reference<T&> {
    using type = T;
};
template <typename T>
struct remove_reference<T&&> {
    using type = T;
};
template <typename T>
using remove_reference_t = typename remove_reference<T>::type;

template <typename T>
struct remove_cv {
    using type = T;
};
template <typename T>
struct remove_cv<const T> {
    using type = T;
};
template <typename T>
struct remove_cv<volatile T> {
    using type = T;
};
template <typename T>
struct remove_cv<const volatile T> {
    using type = T;
};
template <typename T>
using remove_cv_t = typename remove_cv<T>::type;

template <bool B, typename T = void>
struct enable_if {};
template <typename T>
struct enable_if<true, T> {
    using type = T;
};
template <bool B, typename T = void>
using enable_if_t = typename enable_if<B, T>::type;

template <bool B, typename T, typename F>
struct conditional {
    using type = T;
};
template <typename T, typename F>
struct conditional<false, T, F> {
    using type = F;
};
template <bool B, typename T, typename F>
using conditional_t = typename conditional<B, T, F>::type;

template <typename T>
inline constexpr bool is_lvalue_reference_v = false;
template <typename T>
inline constexpr bool is_lvalue_reference_v<T&> = true;

namespace detail {
template <typename T>
inline constexpr bool is_integral = false;
template <> inline constexpr bool is_integral<bool> = true;
template <> inline constexpr bool is_integral<char> = true;
template <> inline constexpr bool is_integral<signed char> = true;
template <> inline constexpr bool is_integral<unsigned char> = true;
template <> inline constexpr bool is_integral<char8_t> = true;
template <> inline constexpr bool is_integral<char16_t> = true;
template <> inline constexpr bool is_integral<char32_t> = true;
template <> inline constexpr bool is_integral<short> = true;
template <> inline constexpr bool is_integral<unsigned short> = true;
template <> inline constexpr bool is_integral<int> = true;
template <> inline constexpr bool is_integral<unsigned int> = true;
template <> inline constexpr bool is_integral<long> = true;
template <> inline constexpr bool is_integral<unsigned long> = true;
template <> inline constexpr bool is_integral<long long> = true;
template <> inline constexpr bool is_integral<unsigned long long> = true;
} // namespace detail

// gcc 12 has no __is_integral builtin, hence the list.
template <typename T>
inline constexpr bool is_integral_v = detail::is_integral<remove_cv_t<T>>;

// Implicit conversion, as std::convertible_to (no gcc 12 builtin for it).
template <typename From, typename To>
concept implicitly_convertible_to = requires(From from, void (*sink)(To)) { sink(from); };

template <typename T>
inline constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);

template <typename T>
inline constexpr bool is_trivially_destructible_v = __has_trivial_destructor(T);

template <typename Base, typename Derived>
inline constexpr bool is_base_of_v = __is_base_of(Base, Derived);

template <typename T>
inline constexpr bool is_enum_v = __is_enum(T);

template <typename T>
using underlying_type_t = __underlying_type(T);

} // namespace cxxrt
