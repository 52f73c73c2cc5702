// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConditionEditor.h"

#include "sandbox/SchemaCheck.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QStackedWidget>

namespace gatehouse::ui {

namespace {

void walk(const QString& prefix, const QJsonObject& schema, QList<QPair<QString, QJsonObject>>& out,
          int depth)
{
    const QJsonObject props = schema.value(QStringLiteral("properties")).toObject();
    for (auto it = props.begin(); it != props.end(); ++it) {
        const QString path = prefix + u'.' + it.key();
        const QJsonObject sub = it.value().toObject();
        out.append({path, sub});
        if (schemaType(sub) == u"object" && depth < 4)
            walk(path, sub, out, depth + 1);
    }
}
} // namespace

QList<QPair<QString, QJsonObject>> ConditionEditor::paths(const QJsonObject& inputSchema)
{
    QList<QPair<QString, QJsonObject>> out;
    walk(QStringLiteral("args"), inputSchema, out, 0);
    return out;
}

QList<ConditionOp> ConditionEditor::opsFor(const QString& type)
{
    using O = ConditionOp;
    if (type == u"number" || type == u"integer")
        return {O::Lte, O::Lt, O::Gte, O::Gt, O::Eq, O::Neq, O::In, O::NotIn, O::Exists};
    if (type == u"boolean")
        return {O::Eq, O::Neq, O::Exists};
    if (type == u"array")
        return {O::Contains, O::Exists};
    if (type == u"object")
        return {O::Exists};
    // Strings, and arguments of unknown type: everything.
    return {O::Eq, O::Neq, O::In, O::NotIn, O::Regex, O::Contains, O::Lt, O::Lte, O::Gt, O::Gte, O::Exists};
}

ConditionEditor::ConditionEditor(QWidget* parent)
    : QWidget(parent)
    , m_path(new QComboBox(this))
    , m_op(new QComboBox(this))
    , m_values(new QStackedWidget(this))
    , m_text(new QLineEdit(this))
    , m_number(new QDoubleSpinBox(this))
    , m_choice(new QComboBox(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_path->setEditable(true); // a path the schema does not list is allowed (args.items[0].id)
    m_path->setMinimumContentsLength(14);
    m_path->setToolTip(tr("Argument path: args.NAME, args.a.b, args.list[0]"));
    m_op->setToolTip(tr("Operator"));
    m_number->setRange(-1e12, 1e12);
    m_number->setDecimals(2);
    m_values->addWidget(m_text);
    m_values->addWidget(m_number);
    m_values->addWidget(m_choice);
    layout->addWidget(m_path, 3);
    layout->addWidget(m_op, 1);
    layout->addWidget(m_values, 3);
    connect(m_path, &QComboBox::currentTextChanged, this, &ConditionEditor::onPathChanged);
    connect(m_op, &QComboBox::currentIndexChanged, this, &ConditionEditor::onOpChanged);
    connect(m_text, &QLineEdit::textChanged, this, &ConditionEditor::changed);
    connect(m_number, &QDoubleSpinBox::valueChanged, this, &ConditionEditor::changed);
    connect(m_choice, &QComboBox::currentIndexChanged, this, &ConditionEditor::changed);
    onPathChanged();
}

void ConditionEditor::setSchema(const QJsonObject& inputSchema)
{
    m_paths = paths(inputSchema);
    m_path->clear();
    for (const auto& [path, schema] : std::as_const(m_paths))
        m_path->addItem(
            QStringLiteral("%1  (%2)")
                .arg(path, schemaType(schema).isEmpty() ? QStringLiteral("any") : schemaType(schema)),
            path);
    onPathChanged();
}

QJsonObject ConditionEditor::schemaOf(const QString& path) const
{
    for (const auto& [p, schema] : m_paths)
        if (p == path)
            return schema;
    return {};
}

void ConditionEditor::onPathChanged()
{
    const QString path = m_path->currentData().toString();
    const QList<ConditionOp> ops = opsFor(schemaType(schemaOf(path)));
    const QVariant was = m_op->currentData();
    m_op->blockSignals(true);
    m_op->clear();
    for (ConditionOp op : ops)
        m_op->addItem(conditionOpName(op), int(op));
    const int keep = m_op->findData(was);
    m_op->setCurrentIndex(keep >= 0 ? keep : 0);
    m_op->blockSignals(false);
    onOpChanged();
}

void ConditionEditor::onOpChanged()
{
    const QJsonObject schema = schemaOf(m_path->currentData().toString());
    const QString type = schemaType(schema);
    const auto op = ConditionOp(m_op->currentData().toInt());
    m_choice->clear();
    if (op == ConditionOp::Exists) {
        m_choice->addItem(QStringLiteral("true"), true);
        m_choice->addItem(QStringLiteral("false"), false);
        m_values->setCurrentWidget(m_choice);
    } else if (op == ConditionOp::In || op == ConditionOp::NotIn) {
        m_text->setPlaceholderText(tr("a JSON list, e.g. [\"a\", \"b\"]"));
        m_values->setCurrentWidget(m_text);
    } else if (type == u"boolean") {
        m_choice->addItem(QStringLiteral("true"), true);
        m_choice->addItem(QStringLiteral("false"), false);
        m_values->setCurrentWidget(m_choice);
    } else if ((type == u"number" || type == u"integer") && op != ConditionOp::Regex) {
        m_number->setDecimals(type == u"integer" ? 0 : 2);
        m_values->setCurrentWidget(m_number);
    } else if (schema.contains(QStringLiteral("enum")) && op != ConditionOp::Regex) {
        for (const QJsonValue& v : schema.value(QStringLiteral("enum")).toArray())
            m_choice->addItem(v.toVariant().toString(), v.toVariant());
        m_values->setCurrentWidget(m_choice);
    } else {
        m_text->setPlaceholderText(op == ConditionOp::Regex ? tr("regular expression") : tr("value"));
        m_values->setCurrentWidget(m_text);
    }
    emit changed();
}

std::optional<Condition> ConditionEditor::condition(QString* error) const
{
    const QString pathText = m_path->currentData().toString().isEmpty() ||
                                     m_path->currentText() != m_path->itemText(m_path->currentIndex())
                                 ? m_path->currentText().trimmed()
                                 : m_path->currentData().toString();
    QString why;
    const auto path = ArgumentPath::parse(pathText, &why);
    if (!path) {
        *error = tr("path: %1").arg(why);
        return std::nullopt;
    }
    Condition c;
    c.path = *path;
    c.op = ConditionOp(m_op->currentData().toInt());
    if (m_values->currentWidget() == m_number) {
        c.value = m_number->value();
    } else if (m_values->currentWidget() == m_choice) {
        c.value = QJsonValue::fromVariant(m_choice->currentData());
    } else if (c.op == ConditionOp::In || c.op == ConditionOp::NotIn) {
        const QJsonDocument doc = QJsonDocument::fromJson(m_text->text().toUtf8());
        if (!doc.isArray()) {
            *error = tr("%1 needs a JSON list of values").arg(conditionOpName(c.op));
            return std::nullopt;
        }
        c.value = doc.array();
    } else {
        c.value = m_text->text();
        if (c.op == ConditionOp::Regex) {
            c.regex = QRegularExpression(m_text->text());
            if (!c.regex.isValid()) {
                *error = tr("regex: %1").arg(c.regex.errorString());
                return std::nullopt;
            }
        }
    }
    return c;
}

} // namespace gatehouse::ui
