// A saved 'irqlab compare --json' result read back into the model that
// produced it (compare_model.h), for 'irqlab report'. Reads what the
// reports need: parameters, environment, every path's accounting and
// histograms (the percentiles are computed again from the buckets). The
// BPF cross-checks and the probes' overhead are not read.
#pragma once

#include "compare_model.h"

#include <nlohmann/json.hpp>
#include <string>

namespace irqlab::cli::compare {

// Returns false with 'error' naming the first field that is missing or of
// the wrong type.
bool result_from_json(const nlohmann::json& j, Result& out, std::string& error);

} // namespace irqlab::cli::compare
