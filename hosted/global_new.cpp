// Hosted only: plain operator new for the C++ library and test code, on the
// same malloc that the hosted platform uses, because cxxrt/delete.cpp
// replaces the global deletes with the platform's free.
#include <cstdlib>
#include <new>

void* operator new(std::size_t size) {
    if (void* ptr = std::malloc(size ? size : 1))
        return ptr;
    throw std::bad_alloc{};
}

void* operator new[](std::size_t size) {
    return ::operator new(size);
}
