// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace gatehouse::ui {

class JsonEdit;
class SchemaForm;
class ServedServer;

// Sends tool calls through the proxy as an agent would: pick a server, a tool and a grant, fill the
// form made from the tool's inputSchema, send. Each call is decided by the policy, shows in the live
// table, and its answer shows here. How a developer tries a policy without an agent.
class CallConsole : public QWidget
{
    Q_OBJECT
public:
    explicit CallConsole(QWidget* parent = nullptr);

    void setServers(const QList<ServedServer*>& servers);
    void select(const QString& server, const QString& tool);
    SchemaForm* form() const { return m_form; }
    // Sends the current tool `times` times, one after another; false when the form is not filled in.
    bool send(int times = 1);
    // "Try a risky call": start a Rolli agent run, then rerun it eleven times; the recommended policy
    // allows ten reruns a minute, so the last one is refused as limited.
    void tryRiskyCall();

signals:
    void answered(const QString& tool, const QJsonObject& response);

private:
    static constexpr int RiskyReruns = 10; // the recommended policy's rerun limit per minute
    // Where a run of calls goes, fixed when it starts: servers coming and going refill the choices.
    struct Target
    {
        QPointer<ServedServer> server;
        QString grant;
    };
    Target currentTarget() const;
    void rerunLoop(const Target& target, const QJsonObject& run, int done);
    ServedServer* currentServer() const;
    void onServerChanged();
    void onToolChanged();
    void call(const Target& target, const QString& tool, const QJsonObject& arguments, int remaining,
              std::function<void()> then = {});
    void showResponse(const QString& tool, const QJsonObject& response);

    QList<ServedServer*> m_servers;
    QComboBox* m_server;
    QComboBox* m_tool;
    QComboBox* m_grant;
    QLabel* m_description;
    SchemaForm* m_form;
    QSpinBox* m_times;
    QPushButton* m_send;
    QLabel* m_error;
    QListWidget* m_log;
    JsonEdit* m_response;
};

} // namespace gatehouse::ui
