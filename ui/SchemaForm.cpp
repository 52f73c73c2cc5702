// SPDX-License-Identifier: GPL-3.0-or-later
#include "SchemaForm.h"

#include "sandbox/SchemaCheck.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

namespace gatehouse::ui {

namespace {} // namespace

SchemaForm::SchemaForm(QWidget* parent)
    : QWidget(parent)
    , m_form(new QFormLayout(this))
{
    m_form->setContentsMargins(0, 0, 0, 0);
}

void SchemaForm::setSchema(const QJsonObject& schema)
{
    while (m_form->rowCount())
        m_form->removeRow(0);
    m_fields.clear();
    const QJsonObject props = schema.value(QStringLiteral("properties")).toObject();
    QStringList required;
    for (const QJsonValue& v : schema.value(QStringLiteral("required")).toArray())
        required << v.toString();
    // Required fields first, then the rest in the schema's order.
    QStringList names = props.keys();
    std::stable_partition(names.begin(), names.end(), [&](const QString& n) { return required.contains(n); });
    for (const QString& name : std::as_const(names)) {
        const QJsonObject p = props.value(name).toObject();
        Field f{name, schemaType(p), required.contains(name), nullptr};
        if (p.contains(QStringLiteral("enum"))) {
            auto* combo = new QComboBox(this);
            if (!f.required)
                combo->addItem(tr("(unset)"), QVariant());
            for (const QJsonValue& v : p.value(QStringLiteral("enum")).toArray())
                combo->addItem(v.toVariant().toString(), v.toVariant());
            f.editor = combo;
        } else if (f.type == u"integer") {
            auto* spin = new QSpinBox(this);
            spin->setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
            spin->setSpecialValueText(f.required ? QString() : tr("(unset)"));
            if (!f.required)
                spin->setValue(spin->minimum());
            f.editor = spin;
        } else if (f.type == u"number") {
            auto* spin = new QDoubleSpinBox(this);
            spin->setRange(-1e15, 1e15);
            spin->setDecimals(4);
            spin->setSpecialValueText(f.required ? QString() : tr("(unset)"));
            if (!f.required)
                spin->setValue(spin->minimum());
            f.editor = spin;
        } else if (f.type == u"boolean") {
            auto* combo = new QComboBox(this);
            if (!f.required)
                combo->addItem(tr("(unset)"), QVariant());
            combo->addItem(QStringLiteral("true"), true);
            combo->addItem(QStringLiteral("false"), false);
            f.editor = combo;
        } else {
            auto* line = new QLineEdit(this);
            if (f.type == u"array" || f.type == u"object")
                line->setPlaceholderText(f.type == u"array" ? tr("JSON list, e.g. [\"a\"]")
                                                            : tr("JSON object"));
            else
                line->setPlaceholderText(p.value(QStringLiteral("description")).toString());
            f.editor = line;
        }
        f.editor->setToolTip(p.value(QStringLiteral("description")).toString());
        f.editor->setAccessibleName(name);
        m_form->addRow(f.required ? QStringLiteral("%1 *").arg(name) : name, f.editor);
        m_fields << f;
    }
    if (m_fields.isEmpty())
        m_form->addRow(new QLabel(tr("This tool takes no arguments."), this));
}

std::optional<QJsonObject> SchemaForm::arguments(QString* error) const
{
    QJsonObject out;
    for (const Field& f : m_fields) {
        QJsonValue v = QJsonValue::Undefined;
        if (auto* combo = qobject_cast<QComboBox*>(f.editor)) {
            if (combo->currentData().isValid())
                v = QJsonValue::fromVariant(combo->currentData());
        } else if (auto* spin = qobject_cast<QSpinBox*>(f.editor)) {
            if (f.required || spin->value() != spin->minimum())
                v = spin->value();
        } else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(f.editor)) {
            if (f.required || dspin->value() != dspin->minimum())
                v = dspin->value();
        } else if (auto* line = qobject_cast<QLineEdit*>(f.editor)) {
            const QString text = line->text();
            if (f.type == u"array" || f.type == u"object") {
                if (!text.trimmed().isEmpty()) {
                    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
                    if (f.type == u"array" ? !doc.isArray() : !doc.isObject()) {
                        *error = tr("%1 must be a JSON %2")
                                     .arg(f.name, f.type == u"array" ? tr("list") : tr("object"));
                        return std::nullopt;
                    }
                    v = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
                }
            } else if (!text.isEmpty()) {
                v = text;
            }
        }
        if (v.isUndefined()) {
            if (f.required) {
                *error = tr("%1 is required").arg(f.name);
                return std::nullopt;
            }
            continue;
        }
        out.insert(f.name, v);
    }
    return out;
}

void SchemaForm::setArguments(const QJsonObject& arguments)
{
    for (const Field& f : std::as_const(m_fields)) {
        const QJsonValue v = arguments.value(f.name);
        if (v.isUndefined())
            continue;
        if (auto* combo = qobject_cast<QComboBox*>(f.editor))
            combo->setCurrentIndex(std::max(0, combo->findData(v.toVariant())));
        else if (auto* spin = qobject_cast<QSpinBox*>(f.editor))
            spin->setValue(v.toInt());
        else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(f.editor))
            dspin->setValue(v.toDouble());
        else if (auto* line = qobject_cast<QLineEdit*>(f.editor))
            line->setText(
                v.isString() ? v.toString()
                             : QString::fromUtf8(
                                   v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                               : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)));
    }
}

} // namespace gatehouse::ui
