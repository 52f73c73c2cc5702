// SPDX-License-Identifier: GPL-3.0-or-later
#include "ToolTableDelegate.h"

#include "Tones.h"
#include "ToolTableModel.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>

namespace gatehouse::ui {

using policyedit::ToolState;

QColor ToolTableDelegate::riskColor(const QString& riskClass)
{
    if (riskClass == u"Read")
        return tone(Tone::Good);
    if (riskClass == u"Write")
        return tone(Tone::Accent);
    if (riskClass == u"Execute")
        return tone(Tone::Warn);
    if (riskClass == u"Financial")
        return tone(Tone::Special);
    if (riskClass == u"Destructive")
        return tone(Tone::Bad);
    return tone(Tone::Muted);
}

QColor ToolTableDelegate::stateColor(int state)
{
    switch (ToolState(state)) {
    case ToolState::Allow:
        return tone(Tone::Good);
    case ToolState::Deny:
        return tone(Tone::Bad);
    case ToolState::Hide:
        return tone(Tone::Muted);
    case ToolState::Approve:
        return tone(Tone::Warn);
    }
    return {};
}

void paintBadge(QPainter* painter, const QRect& rect, const QString& text, const QColor& color, bool strong,
                const QPalette& palette)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QColor fill = color;
    fill.setAlpha(strong ? 255 : 40);
    painter->setPen(strong ? Qt::NoPen : QPen(color, 1));
    painter->setBrush(fill);
    const qreal radius = rect.height() / 2.0;
    painter->drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius);
    // On a dark palette the tones are light: dark text on them, as light text on the light palette's.
    painter->setPen(strong ? (isDark(palette) ? QColor(0x12, 0x12, 0x12) : QColor(Qt::white)) : color);
    QFont f = painter->font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    f.setBold(strong);
    painter->setFont(f);
    painter->drawText(rect, Qt::AlignCenter, text);
    painter->restore();
}

QRect ToolTableDelegate::segmentRect(const QRect& cell, int segment)
{
    const QRect inner = cell.adjusted(4, 3, -4, -3);
    const int w = inner.width() / Segments;
    return QRect(inner.left() + segment * w, inner.top(), w - 2, inner.height());
}

void ToolTableDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const
{
    if (index.column() == ToolTableModel::Risk) {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        opt.text.clear();
        QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        const QString riskClass = index.data(ToolTableModel::RiskClassRole).toString();
        const QString text = index.data(Qt::DisplayRole).toString();
        const int w = option.fontMetrics.horizontalAdvance(text) + 16;
        const QRect badge(option.rect.left() + 4, option.rect.top() + 3, std::min(w, option.rect.width() - 8),
                          option.rect.height() - 6);
        paintBadge(painter, badge, text, riskColor(riskClass), false, option.palette);
        return;
    }
    if (index.column() != ToolTableModel::State) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const int current = index.data(ToolTableModel::StateRole).toInt();
    const bool custom = index.data(ToolTableModel::CustomRole).toBool();
    for (int s = 0; s < Segments; ++s) {
        const QString label = ToolTableModel::stateName(ToolState(s)) + (custom && s == current ? u"*" : u"");
        paintBadge(painter, segmentRect(option.rect, s), label,
                   s == current ? stateColor(s) : tone(Tone::Muted, option.palette), s == current,
                   option.palette);
    }
}

QSize ToolTableDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(std::max(size.height(), option.fontMetrics.height() + 10));
    if (index.column() == ToolTableModel::State)
        size.setWidth(Segments * (option.fontMetrics.horizontalAdvance(QStringLiteral("Approve*")) + 16) + 8);
    return size;
}

bool ToolTableDelegate::editorEvent(QEvent* event, QAbstractItemModel* model,
                                    const QStyleOptionViewItem& option, const QModelIndex& index)
{
    if (index.column() == ToolTableModel::State && event->type() == QEvent::MouseButtonRelease) {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton) {
            for (int s = 0; s < Segments; ++s)
                if (segmentRect(option.rect, s).contains(mouse->position().toPoint()))
                    return model->setData(index, s, ToolTableModel::StateRole);
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace gatehouse::ui
