// move/forward/swap/exchange and friends, as in <utility>, for the
// freestanding core.
#pragma once

#include "cxxrt/traits.h"

namespace cxxrt {

template <typename T>
constexpr remove_reference_t<T>&& move(T&& value) noexcept {
    return static_cast<remove_reference_t<T>&&>(value);
}

template <typename T>
constexpr T&& forward(remove_reference_t<T>& value) noexcept {
    return static_cast<T&&>(value);
}

template <typename T>
constexpr T&& forward(remove_reference_t<T>&& value) noexcept {
    static_assert(!is_lvalue_reference_v<T>, "cannot forward an rvalue as an lvalue");
    return static_cast<T&&>(value);
}

template <typename T>
constexpr void swap(T& a, T& b) noexcept {
    T tmp = move(a);
    a = move(b);
    b = move(tmp);
}

template <typename T, typename U = T>
constexpr T exchange(T& object, U&& replacement) noexcept {
    T old = move(object);
    object = forward<U>(replacement);
    return old;
}

template <typename T>
constexpr const T& min(const T& a, const T& b) noexcept {
    return b < a ? b : a;
}

template <typename T>
constexpr const T& max(const T& a, const T& b) noexcept {
    return a < b ? b : a;
}

template <typename E>
constexpr underlying_type_t<E> to_underlying(E e) noexcept {
    static_assert(is_enum_v<E>);
    return static_cast<underlying_type_t<E>>(e);
}

template <typename T, unsigned long N>
constexpr unsigned long size(const T (&)[N]) noexcept {
    return N;
}

} // namespace cxxrt
