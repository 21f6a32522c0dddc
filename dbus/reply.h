// A method call answered by the manager: the call's reply travels with the
// work (the manager hands it back on the loop thread, the only thread that
// touches sd-bus messages) and becomes either `answer`'s results or the
// named error for what ended the work.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include <sdbus-c++/sdbus-c++.h>

#include "dbus/bus_error.h"
#include "manager/outcome.h"

namespace sevd::dbus {

template <typename Value, typename Reply, typename Answer>
manager::Then<Value> reply_to(Reply&& result, Answer answer) {
    auto reply = std::make_shared<std::decay_t<Reply>>(std::forward<Reply>(result));
    return [reply, answer = std::move(answer)](manager::Outcome<Value> outcome) {
        if (outcome.ok())
            answer(*reply, *outcome.value);
        else
            reply->returnError(to_bus_error(outcome.error));
    };
}

} // namespace sevd::dbus
