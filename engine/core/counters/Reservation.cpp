// SPDX-License-Identifier: GPL-3.0-or-later
#include "Reservation.h"

namespace gatehouse {

Reservation::Reservation(std::shared_ptr<CounterStore> store, CounterHold hold)
    : m_state(std::make_shared<State>(std::move(store), std::move(hold)))
{}

void Reservation::commit()
{
    if (!m_state || m_state->settled)
        return;
    m_state->settled = true;
    m_state->store->commit(m_state->hold);
}

void Reservation::rollback()
{
    if (!m_state || m_state->settled)
        return;
    m_state->settled = true;
    m_state->store->rollback(m_state->hold);
}

Reservation::State::~State()
{
    if (!settled && store)
        store->rollback(hold);
}

} // namespace gatehouse
