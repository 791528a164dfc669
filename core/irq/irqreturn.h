// What an interrupt handler says about one interrupt (irqreturn_t).
#pragma once

namespace irqlab::irq {

// A bitmask, as Linux's irqreturn_t: the results of a shared line's actions
// are or-ed together, so "none" means that no action claimed the interrupt.
enum class IrqReturn : unsigned { none = 0, handled = 1, wake_thread = 2 };

inline constexpr unsigned irq_return_valid_bits = 3;

constexpr IrqReturn operator|(IrqReturn a, IrqReturn b) {
    return static_cast<IrqReturn>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

constexpr IrqReturn operator&(IrqReturn a, IrqReturn b) {
    return static_cast<IrqReturn>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}

// IRQ_RETVAL(): handled when 'claimed', else none.
constexpr IrqReturn irq_retval(bool claimed) {
    return claimed ? IrqReturn::handled : IrqReturn::none;
}

using IrqHandler = IrqReturn (*)(unsigned virq, void* dev_id);

} // namespace irqlab::irq
