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

template <typename T, typename... Candidates>
inline constexpr bool is_one_of_v = (is_same_v<T, Candidates> || ...);

// gcc 12 has no __is_integral builtin, hence the list.
template <typename T>
inline constexpr bool is_integral_v =
    is_one_of_v<remove_cv_t<T>, bool, char, signed char, unsigned char, char8_t, char16_t, char32_t,
                wchar_t, short, unsigned short, int, unsigned int, long, unsigned long, long long,
                unsigned long long>;

// Implicit conversion, as std::convertible_to (no gcc 12 builtin for it).
template <typename From, typename To>
concept implicitly_convertible_to = requires(From from, void (*sink)(To)) {
    sink(from);
};

// A U* converts to a T* (derived to base, or adding const).
template <typename U, typename T>
concept pointer_convertible_to = implicitly_convertible_to<U*, T*>;

template <typename T>
inline constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);

template <typename Base, typename Derived>
inline constexpr bool is_base_of_v = __is_base_of(Base, Derived);

template <typename T>
inline constexpr bool is_enum_v = __is_enum(T);

template <typename T>
using underlying_type_t = __underlying_type(T);

} // namespace cxxrt
