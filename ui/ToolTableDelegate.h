// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace gatehouse::ui {

// Paints the tool table's risk badges and its state column as a segmented control (Allow | Deny |
// Hide | Approve) where one click on a segment sets the state.
class ToolTableDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    bool editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                     const QModelIndex& index) override;

    static QColor riskColor(const QString& riskClass);
    static QColor stateColor(int state);

private:
    static QRect segmentRect(const QRect& cell, int segment);
    static constexpr int Segments = 4;
};

// A small rounded pill with text, as the editor and the approval prompts draw risk classes.
void paintBadge(QPainter* painter, const QRect& rect, const QString& text, const QColor& color, bool strong,
                const QPalette& palette);

} // namespace gatehouse::ui
