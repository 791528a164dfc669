// The context-taking allocation operators, shared by kernel and hosted builds.
#include "cxxrt/new.h"

void* operator new(size_t size, cxxrt::AllocContext ctx) noexcept {
    return irqlab_plat_alloc(size, static_cast<irqlab_alloc_ctx>(ctx));
}

void* operator new[](size_t size, cxxrt::AllocContext ctx) noexcept {
    return irqlab_plat_alloc(size, static_cast<irqlab_alloc_ctx>(ctx));
}
