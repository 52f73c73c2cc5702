// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "json/Diagnostic.h"
#include <QPlainTextEdit>

namespace gatehouse::ui {

// A JSON text editor: monospace, highlighted, with line numbers and wavy underlines under the places
// a list of diagnostics points at.
class JsonEdit : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit JsonEdit(QWidget* parent = nullptr);

    // Shows another document (the PolicyDocument's); the editor does not own it.
    void setJsonDocument(QTextDocument* document);
    void setDiagnostics(const Diagnostics& diagnostics);
    void goTo(int line, int column);

    int lineNumberWidth() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    class Gutter;
    void paintGutter(QPaintEvent* event);
    void updateGutter(const QRect& rect, int dy);

    Gutter* m_gutter;
};

} // namespace gatehouse::ui
