// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CounterStore.h"

#include <memory>

namespace gatehouse {

// Quota held for one allowed call until the upstream has answered. Commit when the tool ran (an
// isError result counts: the tool ran); roll back when it never did. A reservation that is dropped
// without either is rolled back, so an error path cannot leak budget. Copies share one hold.
class Reservation
{
public:
    Reservation() = default;
    Reservation(std::shared_ptr<CounterStore> store, CounterHold hold);

    bool isEmpty() const { return !m_state; }
    void commit();
    void rollback();

private:
    struct State
    {
        State(std::shared_ptr<CounterStore> s, CounterHold h)
            : store(std::move(s))
            , hold(std::move(h))
        {}
        State(const State&) = delete;
        State& operator=(const State&) = delete;
        ~State();

        std::shared_ptr<CounterStore> store;
        CounterHold hold;
        bool settled = false;
    };
    std::shared_ptr<State> m_state;
};

} // namespace gatehouse
