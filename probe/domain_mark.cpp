#include "probe/domain_mark.h"

#include "probe/asid_pool.h"

namespace sevd::probe {

pugi::xml_node sevd_mark(const pugi::xml_node& domain) {
    for (auto mark : domain.child("metadata").children()) {
        if (std::string_view(mark.name()) == kSevdMetadataElement ||
            mark.attribute("xmlns:sevd").as_string() == kSevdMetadataNamespace)
            return mark;
    }
    return {};
}

bool has_sevd_mark(const pugi::xml_node& domain) {
    return static_cast<bool>(sevd_mark(domain));
}

std::optional<ForeignDomain> foreign_domain(std::string_view domain_xml) {
    pugi::xml_document doc;
    if (!doc.load_buffer(domain_xml.data(), domain_xml.size()))
        return std::nullopt;
    const auto domain = doc.child("domain");
    const auto security = domain.child("launchSecurity");
    const auto pool =
        asid_pool(security.attribute("type").as_string(), security.child_value("policy"));
    if (!pool || has_sevd_mark(domain))
        return std::nullopt;
    return ForeignDomain{domain.child_value("name"), *pool};
}

} // namespace sevd::probe
