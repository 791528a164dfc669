// The one place an action kind (irqlab_engine_action_kind) becomes a type;
// see line_action.h.
#include "core/base/errno.h"
#include "core/engine/action_count.h"
#include "core/engine/action_napi.h"
#include "core/engine/action_softirq.h"
#include "core/engine/action_tasklet.h"
#include "core/engine/action_thread.h"
#include "core/engine/action_work.h"
#include "core/engine/line_action.h"
#include "cxxrt/new.h"

namespace irqlab::engine {

namespace {

struct ActionType {
    int (*validate)(const irqlab_engine_attach_config& config);
    LineAction* (*create)(Engine& engine, irqlab_line* line,
                          const irqlab_engine_attach_config& config);
};

template <typename Action>
LineAction* create(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config& config) {
    return new (cxxrt::may_sleep_ctx) Action{engine, line, config};
}

template <typename Action>
constexpr ActionType type_of{Action::validate, create<Action>};

const ActionType* action_type(unsigned action) {
    switch (action) {
    case IRQLAB_ENGINE_COUNT:
        return &type_of<CountAction>;
    case IRQLAB_ENGINE_NONE:
        return &type_of<NoneAction>;
    case IRQLAB_ENGINE_SOFTIRQ:
        return &type_of<SoftirqAction>;
    case IRQLAB_ENGINE_TASKLET:
        return &type_of<TaskletAction>;
    case IRQLAB_ENGINE_TASKLET_HI:
        return &type_of<TaskletHiAction>;
    case IRQLAB_ENGINE_WORK:
        return &type_of<WorkAction>;
    case IRQLAB_ENGINE_THREAD:
        return &type_of<ThreadAction>;
    case IRQLAB_ENGINE_NAPI:
        return &type_of<NapiAction>;
    default:
        return nullptr;
    }
}

} // namespace

int validate_line_action(const irqlab_engine_attach_config& config) {
    const ActionType* type = action_type(config.action);
    return type ? type->validate(config) : -base::einval;
}

cxxrt::unique_ptr<LineAction> create_line_action(Engine& engine, irqlab_line* line,
                                                 const irqlab_engine_attach_config& config) {
    const ActionType* type = action_type(config.action);
    return cxxrt::unique_ptr<LineAction>{type ? type->create(engine, line, config) : nullptr};
}

} // namespace irqlab::engine
