#include "export/metric_text.h"

#include <charconv>
#include <cmath>

namespace sevd::exports {

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_float(double value) {
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc{} ? std::string(buffer, end) : "NaN";
}

void MetricText::family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += "# HELP ";
    text_ += name;
    text_ += ' ';
    text_ += help; // our own constant text: no backslash or newline to escape
    text_ += "\n# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
}

void MetricText::begin_sample(std::string_view name, const Labels& labels) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
            text_ += i == 0 ? "" : ",";
            text_ += labels[i].first;
            text_ += "=\"";
            text_ += escape_label_value(labels[i].second);
            text_ += '"';
        }
        text_ += '}';
    }
    text_ += ' ';
}

void MetricText::sample(std::string_view name, const Labels& labels, uint64_t value) {
    begin_sample(name, labels);
    text_ += std::to_string(value);
    text_ += '\n';
}

void MetricText::sample(std::string_view name, const Labels& labels, double value) {
    begin_sample(name, labels);
    text_ += format_float(value);
    text_ += '\n';
}

} // namespace sevd::exports
