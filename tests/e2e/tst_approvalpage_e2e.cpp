// SPDX-License-Identifier: GPL-3.0-or-later
// The approval page as people use it: a host on the official SDK that declared URL elicitation calls
// a tool that needs a person, is handed the approval's link (-32042), and a person answers it in a real
// browser (Debian's Chromium, headless) with the keyboard; the host is told it is decided and calls
// again, and the tool runs once. And the ways in that must fail: another site posting to a known link,
// a replayed answer, a link from another run.
#include "E2eSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace e2e;

namespace {

const QByteArray Policy = R"({
  "version": "1",
  "default": "allow",
  "approval": {"timeout_seconds": 120},
  "tools": {"echo": {"action": "approve"}}
}
)";

QString chromium()
{
    return qEnvironmentVariable("CHROMIUM", QStringLiteral("/usr/bin/chromium"));
}

// A process of ours that prints one JSON object per line.
class JsonLines
{
public:
    explicit JsonLines(const QStringList& args)
    {
        m_process.setWorkingDirectory(E2eDir);
        m_process.start(Node, args);
    }
    ~JsonLines()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    // The first line that has `key`, waiting up to `ms` for it.
    QJsonObject waitFor(const QString& key, int ms = 30'000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            m_out += m_process.readAllStandardOutput();
            for (const QByteArray& line : m_out.split('\n')) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                if (o.contains(key))
                    return o;
            }
            if (m_process.state() == QProcess::NotRunning && !m_process.bytesAvailable())
                break;
            QTest::qWait(50);
        }
        return {};
    }
    QString said() { return QString::fromUtf8(m_out + m_process.readAllStandardError()); }
    void tell(const QByteArray& line) { m_process.write(line + '\n'); }

private:
    QProcess m_process;
    QByteArray m_out;
};

} // namespace

class TestApprovalPageE2E : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void aPersonAnswersOnThePageAndTheCallRunsOnce();
    void anotherSiteCannotAnswerAndDenyIsFinal();
    void clientLinksOffKeepsTheLinkOffTheWire();
    void aStatelessClientIsAskedWithASignedRequestState();
    void anSdk2HostFollowsTheLinkAndRetriesWithItsState();

private:
    JsonLines* startAgent(const QByteArray& args);
    QJsonObject browse(const QString& link, const QString& answer, const QStringList& flags = {});
    QString cli(const QStringList& args);
    QString personLink(const QString& id);
    void startProxy(const QByteArray& policy, const QStringList& extra = {});

    QTemporaryDir* m_dir = nullptr;
    ProxyProcess* m_proxy = nullptr;
    QList<JsonLines*> m_agents;
};

void TestApprovalPageE2E::initTestCase()
{
    QVERIFY2(QFileInfo(chromium()).isExecutable(),
             "Chromium is missing: scripts/install-deps.sh installs it (package chromium)");
}

void TestApprovalPageE2E::init()
{
    m_dir = new QTemporaryDir;
}

void TestApprovalPageE2E::cleanup()
{
    qDeleteAll(m_agents);
    m_agents.clear();
    delete m_proxy;
    m_proxy = nullptr;
    delete m_dir;
}

void TestApprovalPageE2E::startProxy(const QByteArray& policy, const QStringList& extra)
{
    const QString file = m_dir->filePath(QStringLiteral("policy.json"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(policy);
    f.close();
    m_proxy = new ProxyProcess;
    QVERIFY2(m_proxy->start(
                 stdioUpstream(),
                 QStringList{QStringLiteral("--admin-file"), m_dir->filePath(QStringLiteral("admin.json")),
                             QStringLiteral("--audit"), m_dir->filePath(QStringLiteral("audit.sqlite"))} +
                     extra,
                 file),
             qPrintable(m_proxy->log()));
}

JsonLines* TestApprovalPageE2E::startAgent(const QByteArray& args)
{
    auto* agent = new JsonLines({E2eDir + QStringLiteral("/link-agent.mjs"), m_proxy->url(),
                                 ProxyProcess::token(), QStringLiteral("echo"), QString::fromUtf8(args)});
    m_agents.append(agent);
    return agent;
}

QJsonObject TestApprovalPageE2E::browse(const QString& link, const QString& answer, const QStringList& flags)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CHROMIUM"), chromium());
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(E2eDir);
    QStringList args{E2eDir + QStringLiteral("/page-browser.mjs"), link};
    if (!answer.isEmpty())
        args << answer;
    p.start(Node, args + flags);
    p.waitForFinished(90'000);
    const QByteArray out = p.readAllStandardOutput().trimmed();
    const QJsonObject o = QJsonDocument::fromJson(out.split('\n').last()).object();
    if (o.isEmpty() || o.contains(QStringLiteral("error")))
        qWarning().noquote() << "browser:" << out << p.readAllStandardError();
    return o;
}

QString TestApprovalPageE2E::cli(const QStringList& args)
{
    QProcess p;
    p.start(Gatehouse, args);
    p.waitForFinished(20'000);
    return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
}

// The link `gatehouse approvals list` gives the person for a pending approval ("" once it is not).
QString TestApprovalPageE2E::personLink(const QString& id)
{
    const QString list = cli({QStringLiteral("approvals"), QStringLiteral("list"),
                              QStringLiteral("--admin-file"), m_dir->filePath(QStringLiteral("admin.json"))});
    bool ours = false;
    for (const QString& line : list.split(u'\n')) {
        if (!line.startsWith(u' '))
            ours = line.startsWith(id + u' ');
        else if (ours && line.trimmed().startsWith(QStringLiteral("page: ")))
            return line.trimmed().mid(6);
    }
    return {};
}

void TestApprovalPageE2E::aPersonAnswersOnThePageAndTheCallRunsOnce()
{
    // Pages also on an address of their own, as for a phone: the links point there.
    startProxy(Policy, {QStringLiteral("--approvals-listen"), QStringLiteral("127.0.0.1:0")});
    JsonLines* agent = startAgent(R"({"message": "delete <img src=x onerror=alert(1)> run r-1"})");
    QCOMPARE(agent->waitFor(QStringLiteral("protocolVersion"))[QStringLiteral("protocolVersion")].toString(),
             QStringLiteral("2025-11-25"));
    const QJsonObject elicited = agent->waitFor(QStringLiteral("elicitation"));
    QVERIFY2(!elicited.isEmpty(), qPrintable(agent->said() + m_proxy->log()));
    const QJsonObject e = elicited[QStringLiteral("elicitation")].toObject();
    const QString id = e[QStringLiteral("elicitationId")].toString();
    const QUrl link(e[QStringLiteral("url")].toString());
    QCOMPARE(e[QStringLiteral("mode")].toString(), QStringLiteral("url"));
    QVERIFY(link.path().startsWith(QStringLiteral("/approve/%1/").arg(id)));
    QVERIFY(link.port() != m_proxy->port());
    QVERIFY(e[QStringLiteral("message")].toString().contains(id));

    // The person's own tools say the same: the approval waits, with the person's own link to its page.
    const QString own = personLink(id);
    QVERIFY2(own.startsWith(link.toString().section(u'/', 0, 4) + u'/'), qPrintable(own));
    QVERIFY(own != link.toString());
    // What the client was given shows the approval but cannot answer it: a client (or an agent with a
    // shell) that posts to it changes nothing.
    const QJsonObject viewed = browse(link.toString(), {});
    QCOMPARE(viewed[QStringLiteral("status")].toInt(), 200);
    QVERIFY(viewed[QStringLiteral("before")].toString().contains(QStringLiteral("Approve echo?")));
    QCOMPARE(viewed[QStringLiteral("buttons")].toArray().size(), 0);
    const QByteArray pageHost = "127.0.0.1:" + QByteArray::number(link.port());
    const QByteArray allow = "decision=always-allow";
    QCOMPARE(rawHttp(quint16(link.port()),
                     "POST " + link.path().toUtf8() + " HTTP/1.1\r\nHost: " + pageHost +
                         "\r\nOrigin: http://" + pageHost +
                         "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                         QByteArray::number(allow.size()) + "\r\nConnection: close\r\n\r\n" + allow)
                 .status,
             403);
    QVERIFY(personLink(id) == own); // still pending
    // The pages' own address serves nothing else.
    QCOMPARE(rawHttp(quint16(link.port()), "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status, 404);
    QCOMPARE(rawHttp(quint16(link.port()), "GET /admin/approvals HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status,
             404);

    const QString shot = m_dir->filePath(QStringLiteral("page.png"));
    // The person's browser, signed in once by their own link, answers on the client's link.
    const QJsonObject seen = browse(
        link.toString(), QStringLiteral("Allow once"),
        {QStringLiteral("--sign-in"), own, QStringLiteral("--screenshot"), shot, QStringLiteral("--dark")});
    QCOMPARE(seen[QStringLiteral("signInStatus")].toInt(), 200);
    QCOMPARE(seen[QStringLiteral("status")].toInt(), 200);
    const QString before = seen[QStringLiteral("before")].toString();
    QVERIFY2(before.contains(QStringLiteral("Approve echo?")) &&
                 before.contains(QStringLiteral("link-agent")) &&
                 before.contains(QStringLiteral("delete <img src=x onerror=alert(1)> run r-1")),
             qPrintable(before));
    QCOMPARE(seen[QStringLiteral("dialogs")].toArray().size(), 0); // the arguments were text, not markup
    QVERIFY(seen[QStringLiteral("buttons")].toArray().contains(QStringLiteral("Deny")));
    QCOMPARE(seen[QStringLiteral("afterStatus")].toInt(), 200);
    QVERIFY2(seen[QStringLiteral("after")].toString().contains(QStringLiteral("on this page")),
             qPrintable(seen[QStringLiteral("after")].toString()));
    QCOMPARE(seen[QStringLiteral("afterButtons")].toArray().size(), 0);
    QVERIFY(QFileInfo(shot).size() > 1000);

    // The host hears it is decided, calls again, and the tool runs.
    QCOMPARE(agent->waitFor(QStringLiteral("completed"))[QStringLiteral("completed")].toString(), id);
    const QJsonObject final = agent->waitFor(QStringLiteral("final"));
    QCOMPARE(final[QStringLiteral("attempt")].toInt(), 2);
    QCOMPARE(final[QStringLiteral("final")][QStringLiteral("content")][0][QStringLiteral("text")].toString(),
             QStringLiteral("Echo: delete <img src=x onerror=alert(1)> run r-1"));

    // A replayed answer, sent on the person's own link as the browser sent it, changes nothing.
    const QByteArray host = "127.0.0.1:" + QByteArray::number(link.port());
    const QByteArray form = "decision=deny";
    const RawResponse replay =
        rawHttp(quint16(link.port()),
                "POST " + QUrl(own).path().toUtf8() + " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" +
                    host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                    QByteArray::number(form.size()) + "\r\nConnection: close\r\n\r\n" + form);
    QCOMPARE(replay.status, 409);

    // The story: asked, the host sent to the page, decided there, run once.
    const QString story = cli({QStringLiteral("audit"), QStringLiteral("show"), id, QStringLiteral("--db"),
                               m_dir->filePath(QStringLiteral("audit.sqlite"))});
    QVERIFY2(story.contains(QStringLiteral("decided: allow-once by page")), qPrintable(story));
    QVERIFY2(story.contains(QStringLiteral("given its page")), qPrintable(story));
    QCOMPARE(story.count(QStringLiteral("answered — approved by page")), 1);
    QVERIFY2(story.contains(QStringLiteral("now: used")), qPrintable(story));
}

void TestApprovalPageE2E::anotherSiteCannotAnswerAndDenyIsFinal()
{
    startProxy(Policy);
    JsonLines* agent = startAgent(R"({"message": "two"})");
    const QJsonObject elicited = agent->waitFor(QStringLiteral("elicitation"));
    QVERIFY2(!elicited.isEmpty(), qPrintable(agent->said() + m_proxy->log()));
    const QString link = elicited[QStringLiteral("elicitation")][QStringLiteral("url")].toString();
    const QString id = elicited[QStringLiteral("elicitation")][QStringLiteral("elicitationId")].toString();

    // A page elsewhere that learnt the link submits "allow" to it from the person's (signed-in) browser.
    const QJsonObject attack =
        browse(link, {}, {QStringLiteral("--sign-in"), personLink(id), QStringLiteral("--from-other-site")});
    QCOMPARE(attack[QStringLiteral("postStatuses")].toArray(), QJsonArray{403});
    const QString admin = m_dir->filePath(QStringLiteral("admin.json"));
    QVERIFY(cli({QStringLiteral("approvals"), QStringLiteral("list"), QStringLiteral("--admin-file"), admin})
                .startsWith(id));
    // A forged link (another token) shows nothing and answers nothing.
    const QString forged = link.left(link.lastIndexOf(u'/') + 1) + QStringLiteral("x").repeated(43);
    QCOMPARE(browse(forged, {})[QStringLiteral("status")].toInt(), 404);

    const QJsonObject seen =
        browse(link, QStringLiteral("Deny"), {QStringLiteral("--sign-in"), personLink(id)});
    QVERIFY2(seen[QStringLiteral("after")].toString().contains(QStringLiteral("Denied on this page")),
             qPrintable(seen[QStringLiteral("after")].toString()));
    QCOMPARE(agent->waitFor(QStringLiteral("completed"))[QStringLiteral("completed")].toString(), id);
    const QJsonObject final = agent->waitFor(QStringLiteral("final"))[QStringLiteral("final")].toObject();
    QVERIFY(final[QStringLiteral("isError")].toBool());
    QVERIFY2(final[QStringLiteral("content")][0][QStringLiteral("text")].toString().contains(
                 QStringLiteral("rejected by a person (approval %1)").arg(id)),
             QJsonDocument(final).toJson().constData());
}

void TestApprovalPageE2E::clientLinksOffKeepsTheLinkOffTheWire()
{
    QByteArray policy = Policy;
    policy.replace(R"("timeout_seconds": 120)",
                   R"("timeout_seconds": 120, "hold_seconds": 1, "client_links": false)");
    startProxy(policy);
    JsonLines* agent = startAgent(R"({"message": "three"})");
    const QJsonObject final = agent->waitFor(QStringLiteral("final"))[QStringLiteral("final")].toObject();
    QVERIFY2(!final.isEmpty(), qPrintable(agent->said()));
    // Told to call again, as every other client is, and no link anywhere in what it got.
    QCOMPARE(final[QStringLiteral("_meta")][QStringLiteral("gatehouse/approval")][QStringLiteral("status")]
                 .toString(),
             QStringLiteral("pending"));
    QVERIFY(!agent->said().contains(QStringLiteral("/approve/")));
}

// A 2026-07-28 client that declares URL elicitation on its request: an input-required result sends its
// person to the page, with a signed requestState; what comes back on the retry must be that state, for
// that call, while its approval is open.
void TestApprovalPageE2E::aStatelessClientIsAskedWithASignedRequestState()
{
    QByteArray policy = Policy;
    policy.replace(R"("timeout_seconds": 120)", R"("timeout_seconds": 120, "hold_seconds": 1)");
    startProxy(policy);
    const quint16 port = m_proxy->port();
    auto call = [port](const QJsonObject& arguments, const QJsonObject& extra = {}) {
        QJsonObject params{
            {QStringLiteral("name"), QStringLiteral("echo")},
            {QStringLiteral("arguments"), arguments},
            {QStringLiteral("_meta"),
             QJsonObject{
                 {QStringLiteral("io.modelcontextprotocol/protocolVersion"), QStringLiteral("2026-07-28")},
                 {QStringLiteral("io.modelcontextprotocol/clientCapabilities"),
                  QJsonObject{{QStringLiteral("elicitation"),
                               QJsonObject{{QStringLiteral("url"), QJsonObject()}}}}}}}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            params.insert(it.key(), it.value());
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                      {QStringLiteral("id"), 7},
                                      {QStringLiteral("method"), QStringLiteral("tools/call")},
                                      {QStringLiteral("params"), params}})
                .toJson(QJsonDocument::Compact);
        const RawResponse r = rawHttp(
            port, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                      "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                      "Authorization: Bearer " +
                      ProxyProcess::token().toUtf8() +
                      "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: echo\r\n"
                      "Connection: close\r\nContent-Length: " +
                      QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return QJsonDocument::fromJson(r.body).object();
    };
    const QJsonObject args{{QStringLiteral("message"), QStringLiteral("stateless")}};
    const QJsonObject first = call(args)[QStringLiteral("result")].toObject();
    QCOMPARE(first[QStringLiteral("resultType")].toString(), QStringLiteral("input_required"));
    const QJsonObject ask =
        first[QStringLiteral("inputRequests")][QStringLiteral("gatehouse-approval")].toObject();
    QCOMPARE(ask[QStringLiteral("method")].toString(), QStringLiteral("elicitation/create"));
    QCOMPARE(ask[QStringLiteral("params")][QStringLiteral("mode")].toString(), QStringLiteral("url"));
    const QString id = ask[QStringLiteral("params")][QStringLiteral("elicitationId")].toString();
    const QString link = ask[QStringLiteral("params")][QStringLiteral("url")].toString();
    QVERIFY(link.contains(QStringLiteral("/approve/%1/").arg(id)));
    const QString state = first[QStringLiteral("requestState")].toString();
    QVERIFY2(state.startsWith(QStringLiteral("gh-approval.")), qPrintable(state));
    const QJsonObject accepted{{QStringLiteral("gatehouse-approval"),
                                QJsonObject{{QStringLiteral("action"), QStringLiteral("accept")}}}};
    auto retry = [&](const QString& withState, const QJsonObject& arguments) {
        return call(arguments, {{QStringLiteral("requestState"), withState},
                                {QStringLiteral("inputResponses"), accepted}});
    };

    // Altered (one claim changed, the signature kept), or for other arguments: refused, nothing changes.
    QString altered = state;
    const qsizetype dot = altered.lastIndexOf(u'.');
    altered[dot - 3] = altered[dot - 3] == u'A' ? u'B' : u'A';
    QJsonObject refused = retry(altered, args)[QStringLiteral("error")].toObject();
    QCOMPARE(refused[QStringLiteral("code")].toInt(), -32602);
    QVERIFY2(
        refused[QStringLiteral("message")].toString().contains(QStringLiteral("not one Gatehouse gave out")),
        qPrintable(refused[QStringLiteral("message")].toString()));
    refused = retry(state, {{QStringLiteral("message"), QStringLiteral("other")}})[QStringLiteral("error")]
                  .toObject();
    QVERIFY2(
        refused[QStringLiteral("message")].toString().contains(QStringLiteral("belongs to another call")),
        qPrintable(refused[QStringLiteral("message")].toString()));
    const QString admin = m_dir->filePath(QStringLiteral("admin.json"));
    QVERIFY(cli({QStringLiteral("approvals"), QStringLiteral("list"), QStringLiteral("--admin-file"), admin})
                .startsWith(id));

    // Back while still pending (declined, or "done" too soon): held on the line, then told to call
    // again, never asked round after round.
    const QJsonObject again = retry(state, args)[QStringLiteral("result")].toObject();
    QVERIFY(again[QStringLiteral("isError")].toBool());
    QCOMPARE(
        again[QStringLiteral("_meta")][QStringLiteral("gatehouse/approval")][QStringLiteral("id")].toString(),
        id);
    QCOMPARE(again[QStringLiteral("_meta")][QStringLiteral("gatehouse/approval")][QStringLiteral("status")]
                 .toString(),
             QStringLiteral("pending"));

    // The person allows it on the page; the retry runs the call, once.
    const QJsonObject seen =
        browse(link, QStringLiteral("Allow once"), {QStringLiteral("--sign-in"), personLink(id)});
    QVERIFY2(seen[QStringLiteral("after")].toString().contains(QStringLiteral("on this page")),
             QJsonDocument(seen).toJson().constData());
    const QJsonObject ran = retry(state, args)[QStringLiteral("result")].toObject();
    QCOMPARE(ran[QStringLiteral("content")][0][QStringLiteral("text")].toString(),
             QStringLiteral("Echo: stateless"));
    // The state is spent with its approval.
    refused = retry(state, args)[QStringLiteral("error")].toObject();
    QVERIFY2(refused[QStringLiteral("message")].toString().contains(QStringLiteral("is over")),
             QJsonDocument(refused).toJson().constData());
}

// The same with the real SDK 2.x client at its default options: its own multi-round-trip driver hands
// the link to the host and retries with the state once the person is done.
void TestApprovalPageE2E::anSdk2HostFollowsTheLinkAndRetriesWithItsState()
{
    startProxy(Policy);
    auto* agent =
        new JsonLines({E2eDir + QStringLiteral("/link-agent2.mjs"), m_proxy->url(), ProxyProcess::token(),
                       QStringLiteral("echo"), QStringLiteral(R"({"message": "from SDK 2"})")});
    m_agents.append(agent);
    QCOMPARE(agent->waitFor(QStringLiteral("version"))[QStringLiteral("version")].toString(),
             QStringLiteral("2026-07-28"));
    const QJsonObject elicited = agent->waitFor(QStringLiteral("elicitation"));
    QVERIFY2(!elicited.isEmpty(), qPrintable(agent->said() + m_proxy->log()));
    const QString link = elicited[QStringLiteral("elicitation")][QStringLiteral("url")].toString();
    QVERIFY(link.contains(QStringLiteral("/approve/")));
    const QString id = QUrl(link).path().section(u'/', 2, 2);
    QVERIFY(browse(link, QStringLiteral("Allow once"),
                   {QStringLiteral("--sign-in"), personLink(id)})[QStringLiteral("after")]
                .toString()
                .contains(QStringLiteral("on this page")));
    agent->tell("done");
    const QJsonObject final = agent->waitFor(QStringLiteral("final"));
    QVERIFY2(
        final[QStringLiteral("final")][QStringLiteral("content")][0][QStringLiteral("text")].toString() ==
            QStringLiteral("Echo: from SDK 2"),
        qPrintable(agent->said()));
    QCOMPARE(final[QStringLiteral("rounds")].toInt(), 1);
    const QString story = cli({QStringLiteral("audit"), QStringLiteral("show"), id, QStringLiteral("--db"),
                               m_dir->filePath(QStringLiteral("audit.sqlite"))});
    QCOMPARE(story.count(QStringLiteral("answered — approved by page")), 1);
    QVERIFY2(story.contains(QStringLiteral("now: used")), qPrintable(story));
}

QTEST_GUILESS_MAIN(TestApprovalPageE2E)
#include "tst_approvalpage_e2e.moc"
