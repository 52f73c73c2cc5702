// SPDX-License-Identifier: GPL-3.0-or-later
#include "PolicyDocument.h"

#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"

#include <QElapsedTimer>
#include <QFile>
#include <QPlainTextDocumentLayout>
#include <QSaveFile>
#include <QTextCursor>
#include <QUndoCommand>

namespace gatehouse::ui {

// One change of the text, from before to after. Typing merges into one step until a pause or a
// change made elsewhere (the table, undo).
class PolicyDocument::TextEdit : public QUndoCommand
{
public:
    TextEdit(PolicyDocument* doc, QString before, QString after, const QString& what, bool typing)
        : QUndoCommand(what)
        , m_doc(doc)
        , m_before(std::move(before))
        , m_after(std::move(after))
        , m_typing(typing)
    {
        m_clock.start();
    }

    void undo() override { m_doc->applyText(m_before); }
    void redo() override
    {
        if (m_skipFirstRedo) { // typing already changed the text
            m_skipFirstRedo = false;
            return;
        }
        m_doc->applyText(m_after);
    }
    int id() const override { return m_typing ? 1 : -1; }
    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* next = static_cast<const TextEdit*>(other);
        if (!next->m_typing || m_clock.elapsed() > 1500)
            return false;
        m_after = next->m_after;
        m_clock.restart();
        return true;
    }
    void markTyped() { m_skipFirstRedo = true; }

private:
    PolicyDocument* m_doc;
    QString m_before;
    QString m_after;
    bool m_typing;
    bool m_skipFirstRedo = false;
    QElapsedTimer m_clock;
};

PolicyDocument::PolicyDocument(QObject* parent)
    : QObject(parent)
{
    m_text.setDocumentLayout(new QPlainTextDocumentLayout(&m_text)); // shown in a QPlainTextEdit
    m_text.setUndoRedoEnabled(false);                                // our stack records both kinds of edit
    connect(&m_text, &QTextDocument::contentsChange, this, &PolicyDocument::onContentsChange);
}

void PolicyDocument::onContentsChange(int, int, int)
{
    const QString now = m_text.toPlainText();
    if (now == m_lastText)
        return; // formatting only (the highlighter)
    if (!m_applying) {
        auto* edit = new TextEdit(this, m_lastText, now, tr("Edit JSON"), true);
        edit->markTyped();
        m_lastText = now;
        m_undo.push(edit);
    }
    m_lastText = now;
    reparse();
}

void PolicyDocument::applyText(const QString& text)
{
    const QString current = m_text.toPlainText();
    if (current == text)
        return;
    qsizetype prefix = 0;
    const qsizetype limit = std::min(current.size(), text.size());
    while (prefix < limit && current[prefix] == text[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < limit - prefix && current[current.size() - 1 - suffix] == text[text.size() - 1 - suffix])
        ++suffix;
    QTextCursor cursor(&m_text);
    cursor.setPosition(int(prefix));
    cursor.setPosition(int(current.size() - suffix), QTextCursor::KeepAnchor);
    m_applying = true;
    cursor.insertText(text.mid(prefix, text.size() - suffix - prefix));
    m_applying = false;
}

void PolicyDocument::setPolicy(const Policy& policy, const QString& what)
{
    const QString after = QString::fromUtf8(PolicyWriter::toJson(policy));
    if (after == m_text.toPlainText())
        return;
    m_undo.push(new TextEdit(this, m_text.toPlainText(), after, what, false));
}

void PolicyDocument::reset(const QByteArray& json, const QString& filePath)
{
    m_filePath = filePath;
    m_baseline = json;
    m_applying = true;
    m_text.setPlainText(QString::fromUtf8(json));
    m_applying = false;
    m_lastText = m_text.toPlainText();
    m_undo.clear();
    m_undo.setClean();
    reparse();
}

void PolicyDocument::takeFileText(const QByteArray& json, const QString& what)
{
    const QString after = QString::fromUtf8(json);
    if (after != m_text.toPlainText())
        m_undo.push(new TextEdit(this, m_text.toPlainText(), after, what, false));
    m_undo.setClean();
    m_baseline = json;
}

void PolicyDocument::carryEdits(const QByteArray& json, const QString& what)
{
    const QString after = QString::fromUtf8(json);
    if (after != m_text.toPlainText())
        m_undo.push(new TextEdit(this, m_text.toPlainText(), after, what, false));
}

bool PolicyDocument::load(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    reset(file.readAll(), path);
    return true;
}

bool PolicyDocument::save(const QString& path, QString* error, SaveMode mode, SaveError* why)
{
    auto fail = [&](SaveError e, const QString& text) {
        *error = text;
        if (why)
            *why = e;
        return false;
    };
    if (!isValid())
        return fail(SaveError::Invalid, tr("the policy has %n error(s); fix them before saving", nullptr,
                                           int(m_diagnostics.size())));
    if (mode == SaveMode::Safe && path == m_filePath && changedOnDisk())
        return fail(SaveError::ChangedOnDisk,
                    tr("%1 changed on disk after Gatehouse read it (another editor?). Saving now would "
                       "replace that change.")
                        .arg(path));
    const QByteArray bytes = m_text.toPlainText().toUtf8();
    QString writeError;
    if (!writeAtomically(path, bytes, &writeError))
        return fail(SaveError::WriteFailed, writeError);
    m_filePath = path;
    m_baseline = bytes;
    m_undo.setClean();
    if (why)
        *why = SaveError::None;
    return true;
}

bool PolicyDocument::writeFileText(const QByteArray& json, QString* error)
{
    if (m_filePath.isEmpty()) {
        *error = tr("the policy has no file yet");
        return false;
    }
    if (changedOnDisk()) {
        *error = tr("%1 changed on disk after Gatehouse read it (another editor?)").arg(m_filePath);
        return false;
    }
    if (!writeAtomically(m_filePath, json, error))
        return false;
    m_baseline = json;
    return true;
}

bool PolicyDocument::changedOnDisk() const
{
    QFile current(m_filePath);
    return current.open(QIODevice::ReadOnly) && current.readAll() != m_baseline;
}

bool PolicyDocument::writeAtomically(const QString& path, const QByteArray& bytes, QString* error)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    *error = tr("cannot write %1: %2").arg(path, file.errorString());
    return false;
}

void PolicyDocument::reparse()
{
    PolicyLoad load = PolicyParser::parse(m_text.toPlainText().toUtf8());
    const bool wasValid = isValid();
    const Diagnostics before = m_diagnostics;
    m_diagnostics = load.errors;
    if (load.policy) {
        m_policy = std::move(load.policy);
        emit policyChanged();
    }
    if (wasValid != isValid() || before != m_diagnostics)
        emit diagnosticsChanged();
}

} // namespace gatehouse::ui
