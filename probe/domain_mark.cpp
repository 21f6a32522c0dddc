#include "probe/domain_mark.h"

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

std::optional<ForeignDomain> foreign_domain(const DomainFacts& facts) {
    if (!facts.pool || facts.launched_by_sevd)
        return std::nullopt;
    return ForeignDomain{facts.name, *facts.pool};
}

} // namespace sevd::probe
