// Private helpers shared by the renderers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/report.h"

namespace sekimori::report::internal {

// Short title of a Top Threats key ("T01" -> "Data breach"); "" when unknown.
const char* threat_title(std::string_view key);
// Findings without passes (unless asked), by severity, rule ID, then resource.
// Results sorted by severity, rule, resource; with `include_pass`, passes are
// materialised into `passes` (which must outlive the pointers).
std::vector<const policy::Finding*> sorted_findings(const ScanReport& r, bool include_pass,
                                                    std::vector<policy::Finding>& passes);
// The line a finding points at (its own, else its resource's), never 0.
uint32_t start_line(const policy::ScanResult& result, const policy::Finding& f);

}  // namespace sekimori::report::internal
