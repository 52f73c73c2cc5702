// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QLabel;
class QListWidget;
class QPushButton;
class QTextEdit;

namespace gatehouse {
class ToolPins;
}

namespace gatehouse::ui {

// Review of tool definitions that changed (or are new) since they were pinned: the held tools on the
// left; the pinned and the new definition side by side, changed lines marked; what looks suspicious and
// why; Accept (pins the new definition and releases the tool to clients) or keep it held.
class PinReviewDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PinReviewDialog(ToolPins* pins, QWidget* parent = nullptr);

    QListWidget* heldTools() const { return m_list; }
    QString pinnedText() const;
    QString seenText() const;
    QString flagsText() const;
    bool acceptCurrent(); // "Accept this definition"

private:
    void reload();
    void showCurrent();

    ToolPins* m_pins;
    QListWidget* m_list;
    QLabel* m_heading;
    QTextEdit* m_pinned;
    QTextEdit* m_seen;
    QLabel* m_flags;
    QPushButton* m_accept;
};

} // namespace gatehouse::ui
