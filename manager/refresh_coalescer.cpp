#include "manager/refresh_coalescer.h"

namespace sevd::manager {

RefreshCoalescer::Decision RefreshCoalescer::on_call(Clock::time_point now) {
    if (scheduled_)
        return {Decision::Kind::Join, {}};
    if (!last_probe_ || now - *last_probe_ >= interval_)
        return {Decision::Kind::ProbeNow, now};
    scheduled_ = true;
    return {Decision::Kind::ProbeAt, *last_probe_ + interval_};
}

void RefreshCoalescer::on_probe(Clock::time_point started) {
    last_probe_ = started;
    scheduled_ = false;
}

} // namespace sevd::manager
