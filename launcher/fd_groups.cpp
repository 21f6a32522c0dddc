#include "launcher/fd_groups.h"

#include <sstream>
#include <stdexcept>

#include <pugixml.hpp>

namespace sevd::launcher {

std::string without_fd_groups(const std::string& domain_xml) {
    pugi::xml_document doc;
    if (!doc.load_string(domain_xml.c_str()))
        throw std::runtime_error("the domain XML does not parse");
    for (const auto& found : doc.select_nodes("//source[@fdgroup]"))
        found.node().remove_attribute("fdgroup");
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration);
    return out.str();
}

} // namespace sevd::launcher
