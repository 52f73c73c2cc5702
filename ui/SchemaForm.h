// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QWidget>
#include <optional>

class QFormLayout;

namespace gatehouse::ui {

// A form for a tool's arguments, generated from its inputSchema: enums as combo boxes, integers and
// numbers as spin boxes, booleans as a yes/no/unset choice, strings as text, arrays and objects as
// JSON. Optional fields left empty are left out of the arguments.
class SchemaForm : public QWidget
{
    Q_OBJECT
public:
    explicit SchemaForm(QWidget* parent = nullptr);

    void setSchema(const QJsonObject& inputSchema);
    // The arguments as filled in, or nullopt with the first problem (a required field empty, bad JSON).
    std::optional<QJsonObject> arguments(QString* error) const;
    // Fills fields from an arguments object (unknown keys are ignored).
    void setArguments(const QJsonObject& arguments);

private:
    struct Field
    {
        QString name;
        QString type;
        bool required = false;
        QWidget* editor = nullptr;
    };
    QFormLayout* m_form;
    QList<Field> m_fields;
};

} // namespace gatehouse::ui
