// Called through a vtable slot whose function is pure: an object used during
// its own construction or destruction, or after it was freed.
#include "irqlab/platform.h"

// The Itanium C++ ABI names this hook; nothing in the core calls it directly.
extern "C" void __cxa_pure_virtual();

extern "C" void __cxa_pure_virtual() {
    irqlab_plat_bug("irqlab: pure virtual function called");
    __builtin_trap();
}
