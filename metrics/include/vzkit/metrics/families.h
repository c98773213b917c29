// The metrics vzkit-metrics writes, as a table: each family's name, type,
// help and where its value comes from (docs/metrics.md lists them).
#pragma once

#include "vzkit/metrics/collect.h"
#include "vzkit/metrics/exposition.h"

#include <vector>

namespace vz::metrics {

// Every family, in the table's order, with a sample per container (and per
// resource or device) that has the figure; a figure nobody knows is left out,
// never written as 0.
std::vector<Family> families(const HostMetrics &host);

} // namespace vz::metrics
