// Global delete operators: every delete-expression ends in the platform's
// free. g++ emits calls to the sized forms (_ZdlPvm, _ZdaPvm) since C++14;
// the size is not needed because the platform allocator knows it.
//
// The kernel build defines no plain operator new: core code must name an
// allocation context, and the post-link check rejects any reference to
// _Znwm. Hosted builds replace plain new in hosted/global_new.cpp so that
// the library's allocations and ours both pair with these deletes.
#include "cxxrt/new.h"

void operator delete(void* ptr) noexcept {
    irqlab_plat_free(ptr);
}
void operator delete[](void* ptr) noexcept {
    irqlab_plat_free(ptr);
}
void operator delete(void* ptr, size_t) noexcept {
    irqlab_plat_free(ptr);
}
void operator delete[](void* ptr, size_t) noexcept {
    irqlab_plat_free(ptr);
}
