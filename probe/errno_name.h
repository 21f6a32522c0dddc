// Symbolic errno names, both ways, for the errors a snapshot records
// ("EACCES" in DIR/sev/platform-status) and for messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sevd::probe {

// "EACCES" for EACCES; "errno 123" for numbers outside the table.
std::string errno_name(int error_number);

// EACCES for "EACCES"; nullopt for names not in the table.
std::optional<int> errno_from_name(std::string_view name);

} // namespace sevd::probe
