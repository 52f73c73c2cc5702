// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "policy/Policy.h"

#include "json/Diagnostic.h"
#include <QObject>
#include <QTextDocument>
#include <QUndoStack>
#include <optional>

namespace gatehouse::ui {

// The policy being edited: its JSON text is the one source of truth. The tool table edits it by
// handing over a whole new Policy (written canonically); the JSON pane edits the text directly. Either
// way the change lands on one undo stack, the text is parsed again, and a valid result becomes the
// policy everyone shows. Invalid text keeps the last good policy and lists what is wrong.
class PolicyDocument : public QObject
{
    Q_OBJECT
public:
    explicit PolicyDocument(QObject* parent = nullptr);

    QTextDocument* text() { return &m_text; }
    QUndoStack* undoStack() { return &m_undo; }

    // The last valid policy (the one the tool table shows), and whether the text is that policy now.
    const std::optional<Policy>& policy() const { return m_policy; }
    bool isValid() const { return m_diagnostics.isEmpty(); }
    const Diagnostics& diagnostics() const { return m_diagnostics; }

    // Replaces the policy with an edited one, as one undoable step called `what`.
    void setPolicy(const Policy& policy, const QString& what);
    // Starts over with this text: no undo history, marked unmodified.
    void reset(const QByteArray& json, const QString& filePath = {});

    // The file changed on disk (saved elsewhere): take its text as an undoable step, unmodified after.
    void takeFileText(const QByteArray& json, const QString& what);
    bool load(const QString& path, QString* error);
    // Unsaved edits carried over from before (the server was restarted with a new configuration):
    // one undoable step, and the document stays modified.
    void carryEdits(const QByteArray& json, const QString& what);
    enum class SaveMode
    {
        Safe,      // refuse when the file changed on disk since the document last read or wrote it
        Overwrite, // the person chose to replace that change
    };
    enum class SaveError
    {
        None,
        Invalid,
        ChangedOnDisk,
        WriteFailed
    };
    // Atomic (QSaveFile). Refuses invalid text: a file Gatehouse writes always passes `gatehouse check`.
    // Never writes over a change it has not seen (another editor, "always allow" while edits were
    // unsaved and could not take it) unless told to.
    bool save(const QString& path, QString* error, SaveMode mode = SaveMode::Safe, SaveError* why = nullptr);
    // Writes `json` as the file's text while the edits stay as they are (unsaved): a rule answered at an
    // approval goes in force without them. Refuses, like save(), a file changed since it was read.
    bool writeFileText(const QByteArray& json, QString* error);
    // The file now says `json` and the document already holds that change (merged as an edit).
    void acknowledgeFileText(const QByteArray& json) { m_baseline = json; }
    const QByteArray& fileText() const { return m_baseline; } // the file as last read or written here
    // No step of the undo history is the file any more (a change was merged in): modified until saved.
    void markDiverged() { m_undo.resetClean(); }
    QString filePath() const { return m_filePath; }
    bool isModified() const { return !m_undo.isClean(); }

signals:
    void policyChanged();      // a new valid policy
    void diagnosticsChanged(); // validity or the error list changed

private:
    class TextEdit;
    void onContentsChange(int position, int removed, int added);
    void reparse();
    bool changedOnDisk() const;
    static bool writeAtomically(const QString& path, const QByteArray& bytes, QString* error);
    // Puts `text` into the document by replacing only what differs, so cursors elsewhere stay put.
    void applyText(const QString& text);

    QTextDocument m_text;
    QUndoStack m_undo;
    std::optional<Policy> m_policy;
    Diagnostics m_diagnostics;
    QString m_filePath;
    QByteArray m_baseline; // the file's bytes as last read or written here
    QString m_lastText;    // what the text was before the change being recorded
    bool m_applying = false;
};

} // namespace gatehouse::ui
