// The actions that defer nothing; see action_count.h.
#include "core/engine/action_count.h"

namespace irqlab::engine {

irq::IrqReturn CountAction::handle() {
    return irq::IrqReturn::handled;
}

irq::IrqReturn NoneAction::handle() {
    return irq::IrqReturn::none;
}

} // namespace irqlab::engine
