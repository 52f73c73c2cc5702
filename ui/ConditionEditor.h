// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/Condition.h"

#include <QJsonObject>
#include <QWidget>
#include <optional>

class QComboBox;
class QLineEdit;
class QDoubleSpinBox;
class QStackedWidget;

namespace gatehouse::ui {

// Builds one condition: an argument path picked from the tool's inputSchema, an operator that fits
// the argument's type, and a value editor for that type (enum values as a list, numbers as a spin box,
// booleans as true/false, lists for in/not_in as JSON).
class ConditionEditor : public QWidget
{
    Q_OBJECT
public:
    explicit ConditionEditor(QWidget* parent = nullptr);

    void setSchema(const QJsonObject& inputSchema);
    // The condition as built, or nullopt with the reason.
    std::optional<Condition> condition(QString* error) const;

    // "args.x" paths and their JSON types, walking nested objects.
    static QList<QPair<QString, QJsonObject>> paths(const QJsonObject& inputSchema);
    static QList<ConditionOp> opsFor(const QString& jsonType);

signals:
    void changed();

private:
    void onPathChanged();
    void onOpChanged();
    QJsonObject schemaOf(const QString& path) const;

    QList<QPair<QString, QJsonObject>> m_paths;
    QComboBox* m_path;
    QComboBox* m_op;
    QStackedWidget* m_values;
    QLineEdit* m_text;
    QDoubleSpinBox* m_number;
    QComboBox* m_choice; // enums and booleans
};

} // namespace gatehouse::ui
