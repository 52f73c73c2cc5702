// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace gatehouse {
class ApprovalBroker;
}

namespace gatehouse::ui {

// The "allow for session" answers in force: which agent session may call which tool without asking,
// each with Take back. Hidden while there are none.
class SessionGrantList : public QWidget
{
    Q_OBJECT
public:
    explicit SessionGrantList(ApprovalBroker* broker, QWidget* parent = nullptr);
    int count() const { return m_count; }

private:
    void rebuild();

    ApprovalBroker* m_broker;
    QLabel* m_title;
    QVBoxLayout* m_rows;
    int m_count = 0;
};

} // namespace gatehouse::ui
