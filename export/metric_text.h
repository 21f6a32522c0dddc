// Builds Prometheus text exposition format 0.0.4 (what node_exporter's textfile
// collector reads): "# HELP" and "# TYPE" once per family, then its samples,
// label values escaped. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sevd::exports {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

class MetricText {
public:
    // Starts a family; `type` is gauge, counter or histogram.
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const Labels& labels, uint64_t value);
    void sample(std::string_view name, const Labels& labels, double value);
    void sample(std::string_view name, uint64_t value) { sample(name, {}, value); }
    const std::string& text() const { return text_; }

private:
    void begin_sample(std::string_view name, const Labels& labels);
    std::string text_;
};

// A label value as the format quotes it: \ " and newline escaped.
std::string escape_label_value(std::string_view value);

// A float as Prometheus parses it: shortest round-trip form, +Inf/-Inf/NaN.
std::string format_float(double value);

} // namespace sevd::exports
