// SPDX-License-Identifier: GPL-3.0-or-later
#include "ApprovalPage.h"

#include "ApprovalBroker.h"
#include "http/BearerToken.h"
#include "http/HttpServer.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QUrlQuery>

Q_DECLARE_LOGGING_CATEGORY(lcApprovals)

namespace gatehouse {

namespace {
constexpr QLatin1StringView Prefix{"/approve/"};
constexpr int MaxShownArgumentBytes = 256 * 1024;
constexpr int MaxNoteChars = 2000;

QString esc(const QString& s)
{
    return s.toHtmlEscaped();
}

QString when(const QDateTime& t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")) : QString();
}

// No script, no framing, nowhere to send the form but here, and the link (a secret) never leaves as
// a Referer to another site.
HttpHeaders pageHeaders()
{
    return HttpHeaders()
        .add("Content-Type", "text/html; charset=utf-8")
        .add("Cache-Control", "no-store")
        .add("Referrer-Policy", "same-origin") // "no-referrer" would make the form's Origin "null"
        .add("X-Content-Type-Options", "nosniff")
        .add("X-Frame-Options", "DENY")
        .add("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                        "frame-ancestors 'none'; base-uri 'none'");
}

QByteArray document(const QString& title, const QString& body)
{
    static const QString style = QStringLiteral(
        "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:46em;padding:1em;"
        "color:#1d1d1f;background:#fafafa}"
        "h1{font-size:1.35em;margin:.2em 0 .6em}table{border-collapse:collapse;width:100%}"
        "th{text-align:left;vertical-align:top;padding:.25em 1em .25em 0;white-space:nowrap;color:#555}"
        "td{padding:.25em 0;overflow-wrap:anywhere}"
        "pre{background:#fff;border:1px solid #ccc;padding:.6em;overflow:auto;max-height:24em;"
        "white-space:pre-wrap;overflow-wrap:anywhere}"
        ".state{padding:.6em;border-left:4px solid #888;background:#eee;margin:1em 0}"
        ".risk{font-weight:600}form{margin-top:1em}textarea{width:100%;box-sizing:border-box;font:inherit}"
        ".answers{display:flex;flex-wrap:wrap;gap:.5em;margin-top:.6em}"
        "button{font:inherit;padding:.55em 1em;border-radius:6px;border:1px solid #888;background:#fff;"
        "color:inherit;cursor:pointer}button.allow{border-color:#1a7f37}button.deny{border-color:#cf222e}"
        "button:focus-visible{outline:3px solid #0969da;outline-offset:2px}"
        "@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#161616}th{color:#aaa}"
        "pre,button{background:#222;border-color:#555}.state{background:#262626}"
        "textarea{background:#222;color:#e6e6e6}}");
    return QStringLiteral("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                          "<meta name=\"robots\" content=\"noindex\"><title>%1 · Gatehouse</title>"
                          "<style>%2</style></head><body>%3</body></html>")
        .arg(esc(title), style, body)
        .toUtf8();
}

void page(HttpConnection* connection, int status, const QString& title, const QString& body)
{
    connection->respond(status, pageHeaders(), document(title, body));
}

void refusal(HttpConnection* connection, int status, const QString& title, const QString& text)
{
    page(connection, status, title, QStringLiteral("<h1>%1</h1><p>%2</p>").arg(esc(title), esc(text)));
}

QString row(const QString& name, const QString& value)
{
    return value.isEmpty() ? QString()
                           : QStringLiteral("<tr><th>%1</th><td>%2</td></tr>").arg(esc(name), esc(value));
}

QString standing(const Approval& a, int waiting)
{
    const ApprovalAnswer& w = a.answer;
    const QString by = w.approver.isEmpty() ? QString()
                       : w.approver == QLatin1StringView(ApprovalPage::Approver)
                           ? QStringLiteral(" on this page")
                           : QStringLiteral(" by ") + w.approver;
    switch (a.state) {
    case ApprovalState::Pending: {
        QString s = waiting > 0 ? QStringLiteral("The agent is waiting on the line for this answer.")
                                : QStringLiteral("The agent was told to call again; its call runs (or is "
                                                 "refused) when it does.");
        if (a.request.deadline.isValid())
            s += QStringLiteral(" Answer by %1, or it is %2.")
                     .arg(when(a.request.deadline), a.terms.onTimeout == TimeoutOutcome::Allow
                                                        ? QStringLiteral("allowed")
                                                        : QStringLiteral("denied"));
        else
            s += QStringLiteral(" A person is looking at it in Gatehouse; its countdown is stopped.");
        return s;
    }
    case ApprovalState::Allowed:
        return QStringLiteral("Allowed%1 at %2. The call runs once, when the agent makes it (until %3).")
            .arg(by, when(a.decided), when(a.validUntil));
    case ApprovalState::Denied:
        return QStringLiteral("Denied%1 at %2.").arg(by, when(a.decided));
    case ApprovalState::Expired:
        return QStringLiteral("Nobody answered in time; it was %1.")
            .arg(w.allows() ? QStringLiteral("allowed") : QStringLiteral("denied"));
    case ApprovalState::Used:
        return QStringLiteral("Allowed%1 at %2; the agent's call ran with it at %3. This approval is over.")
            .arg(by, when(a.decided), when(a.lastCall));
    case ApprovalState::Withdrawn:
        return QStringLiteral("The client withdrew the call before anyone answered. This approval is over.");
    case ApprovalState::Lapsed:
        return QStringLiteral("%1%2 at %3, but the agent did not call again in time. This approval is over.")
            .arg(w.allows() ? QStringLiteral("Allowed") : QStringLiteral("Denied"), by, when(a.decided));
    }
    return {};
}

QString arguments(const QJsonObject& args, const QString& sha256)
{
    QByteArray json = QJsonDocument(args).toJson(QJsonDocument::Indented);
    QString more;
    if (json.size() > MaxShownArgumentBytes) {
        more = QStringLiteral("<p><strong>Only the first %1 KB of %2 KB are shown.</strong></p>")
                   .arg(MaxShownArgumentBytes / 1024)
                   .arg(json.size() / 1024);
        json.truncate(MaxShownArgumentBytes);
    }
    return QStringLiteral("<h2>Arguments</h2><pre>%1</pre>%2<p><small>SHA-256 of the canonical arguments: "
                          "<code>%3</code></small></p>")
        .arg(esc(QString::fromUtf8(json)), more, esc(sha256));
}

QString form()
{
    struct B
    {
        const char* choice;
        const char* label;
        const char* kind;
    };
    static const B buttons[] = {{"allow-once", "Allow once", "allow"},
                                {"deny", "Deny", "deny"},
                                {"allow-session", "Allow for this session", "allow"},
                                {"always-allow", "Always allow this tool", "allow"},
                                {"always-deny", "Always deny this tool", "deny"}};
    QString html = QStringLiteral("<form method=\"post\"><label for=\"note\">Note (optional, kept in the "
                                  "audit log)</label><textarea id=\"note\" name=\"note\" rows=\"2\" "
                                  "maxlength=\"%1\"></textarea><div class=\"answers\">")
                       .arg(MaxNoteChars);
    for (const B& b : buttons)
        html +=
            QStringLiteral("<button type=\"submit\" name=\"decision\" value=\"%1\" class=\"%2\">%3</button>")
                .arg(QLatin1StringView(b.choice), QLatin1StringView(b.kind), QLatin1StringView(b.label));
    return html + QStringLiteral("</div></form>");
}
} // namespace

ApprovalPage::ApprovalPage(ApprovalBroker* broker, QObject* parent)
    : QObject(parent)
    , m_broker(broker)
{}

void ApprovalPage::serveOn(HttpServer* server)
{
    server->route("/approve",
                  [this, server](HttpConnection* c, const HttpRequest& r) { onRequest(server, c, r); });
}

QByteArray ApprovalPage::token(const Approval& approval, Link kind) const
{
    const QByteArray purpose = kind == Link::Answer ? "approval-page\n" : "approval-view\n";
    return QMessageAuthenticationCode::hash(purpose + approval.request.id.toUtf8() + '\n' +
                                                approval.request.created.toString(Qt::ISODateWithMs).toUtf8(),
                                            m_broker->secret(), QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray ApprovalPage::cookie() const
{
    return QMessageAuthenticationCode::hash("approver-browser", m_broker->secret(),
                                            QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// One name per approvals file: cookies ignore ports, and another Gatehouse on this host must neither
// overwrite nor read this one's.
QByteArray ApprovalPage::cookieName() const
{
    return QByteArray(CookieName) + '-' +
           QMessageAuthenticationCode::hash("approver-cookie-name", m_broker->secret(),
                                            QCryptographicHash::Sha256)
               .toHex()
               .left(8);
}

bool ApprovalPage::signedIn(const HttpRequest& request) const
{
    const QByteArray name = cookieName() + '=';
    for (const auto& [header, value] : request.headers) {
        if (header != "cookie")
            continue;
        for (const QByteArray& part : value.split(';'))
            if (const QByteArray c = part.trimmed(); c.startsWith(name) && !m_broker->secret().isEmpty() &&
                                                     constantTimeEquals(c.mid(name.size()), cookie()))
                return true;
    }
    return false;
}

std::optional<ApprovalPage::Link> ApprovalPage::linkOf(const QString& approvalId,
                                                       const QByteArray& candidate) const
{
    const std::optional<Approval> a =
        m_broker->secret().isEmpty() ? std::nullopt : m_broker->find(approvalId);
    if (!a)
        return std::nullopt;
    for (Link kind : {Link::Answer, Link::View})
        if (constantTimeEquals(candidate, token(*a, kind)))
            return kind;
    return std::nullopt;
}

QString ApprovalPage::link(const QString& approvalId, Link kind) const
{
    const std::optional<Approval> a = m_base.isEmpty() || m_broker->secret().isEmpty() || approvalId.isEmpty()
                                          ? std::nullopt
                                          : m_broker->approval(approvalId);
    if (!a)
        return {};
    return m_base + Prefix + approvalId + u'/' + QString::fromLatin1(token(*a, kind));
}

void ApprovalPage::onRequest(const HttpServer* server, HttpConnection* connection, const HttpRequest& request)
{
    if (!server->isOwnHost(request))
        return refusal(
            connection, 421, QStringLiteral("Wrong address"),
            QStringLiteral("This page answers only under the address in its link. Nothing was changed."));
    // /approve/ID/TOKEN, nothing more
    const QList<QByteArray> parts = request.path.mid(Prefix.size()).split('/');
    const QString id = parts.size() == 2 ? QString::fromUtf8(parts.at(0)) : QString();
    const std::optional<Link> kind =
        request.path.startsWith(Prefix.data()) && !id.isEmpty() ? linkOf(id, parts.at(1)) : std::nullopt;
    if (!kind)
        return refusal(connection, 404, QStringLiteral("Not a valid approval link"),
                       QStringLiteral("This link is not one Gatehouse gave out, or it was copied "
                                      "incompletely, or its approval ended long ago. Nothing was changed."));
    const bool mayAnswer = *kind == Link::Answer || signedIn(request);
    if (request.method == "POST")
        return answer(connection, request, id, mayAnswer);
    if (request.method != "GET")
        return connection->respond(405, pageHeaders().add("Allow", "GET, POST"),
                                   document(QStringLiteral("Use GET or POST"), {}));
    show(connection, id, *kind, mayAnswer);
}

void ApprovalPage::show(HttpConnection* connection, const QString& id, Link kind, bool mayAnswer)
{
    const std::optional<Approval> a = m_broker->find(id);
    if (!a)
        return refusal(connection, 410, QStringLiteral("This approval is over"),
                       QStringLiteral("Approval %1 ended long ago; this link takes no answer any more. "
                                      "`gatehouse audit show %1` tells its story.")
                           .arg(id));
    const ApprovalRequest& r = a->request;
    const bool pending = a->state == ApprovalState::Pending;
    const QString title =
        pending ? QStringLiteral("Approve %1?").arg(r.tool) : QStringLiteral("Approval of %1").arg(r.tool);
    QString body = pending ? QStringLiteral("<h1>Approve <code>%1</code>?</h1>").arg(esc(r.tool))
                           : QStringLiteral("<h1>Approval of <code>%1</code></h1>").arg(esc(r.tool));
    body += QStringLiteral("<div class=\"state\" role=\"status\">%1</div>")
                .arg(esc(standing(*a, m_broker->waiting(id))));
    body += QStringLiteral("<table>") + row(QStringLiteral("Tool"), r.tool) +
            QStringLiteral("<tr><th>Risk</th><td class=\"risk\">%1</td></tr>")
                .arg(esc(r.riskClass.isEmpty() ? QStringLiteral("not classified") : r.riskClass)) +
            row(QStringLiteral("Server"), r.server) + row(QStringLiteral("Agent"), r.client) +
            row(QStringLiteral("Grant"), r.grant) + row(QStringLiteral("Rule"), r.rule) +
            row(QStringLiteral("Why"), r.message) + row(QStringLiteral("Asked"), when(r.created)) +
            row(QStringLiteral("Approval"), id) + QStringLiteral("</table>");
    if (a->isOpen(QDateTime::currentDateTimeUtc()))
        body += arguments(r.arguments, r.argumentsHash);
    else // an ended approval keeps only the arguments' hash
        body += QStringLiteral("<p><small>SHA-256 of the canonical arguments: <code>%1</code></small></p>")
                    .arg(esc(r.argumentsHash));
    if (pending && mayAnswer)
        body += form();
    else if (pending)
        body +=
            QStringLiteral(
                "<p class=\"state\">To answer on this page, this browser must be one you answer from: open, "
                "once, an approval link Gatehouse gave <em>you</em> (<code>gatehouse approvals list</code> "
                "of a headless Gatehouse, your webhook), not the agent. Or answer in the Gatehouse window, "
                "or with <code>gatehouse approvals approve %1</code> / <code>deny %1</code>.</p>")
                .arg(esc(id));
    HttpHeaders headers = pageHeaders();
    // A link from the person's own channels, still to be answered: this browser answers from now on.
    // (An old link that leaked signs nobody in.) Lax, so that a view link followed from a web-based
    // client still finds it; answers are POSTs, checked for their Origin.
    if (kind == Link::Answer && pending)
        headers.add("Set-Cookie", cookieName() + '=' + cookie() +
                                      "; Path=/approve; Max-Age=2592000; HttpOnly; SameSite=Lax");
    connection->respond(200, headers, document(title, body));
}

void ApprovalPage::answer(HttpConnection* connection, const HttpRequest& request, const QString& id,
                          bool mayAnswer)
{
    if (!mayAnswer)
        return refusal(connection, 403, QStringLiteral("Answer refused"),
                       QStringLiteral("This link was given to the agent's client: it shows the approval, and "
                                      "answers only in a browser you answer from. Nothing was changed."));
    // A form on another site cannot answer: browsers name the page that sent a POST.
    const QByteArray origin = request.header("origin");
    const QByteArray site = request.header("sec-fetch-site");
    if (origin != "http://" + request.header("host") || (!site.isEmpty() && site != "same-origin"))
        return refusal(connection, 403, QStringLiteral("Answer refused"),
                       QStringLiteral("Answers are taken only from this page itself. Nothing was changed."));
    if (!request.header("content-type").startsWith("application/x-www-form-urlencoded"))
        return refusal(connection, 415, QStringLiteral("Answer refused"),
                       QStringLiteral("The answer must come from this page's form. Nothing was changed."));
    QByteArray body = request.body;
    body.replace('+', ' ');
    const QUrlQuery form(QString::fromUtf8(body));
    const auto choice =
        approvalChoiceFromName(form.queryItemValue(QStringLiteral("decision"), QUrl::FullyDecoded));
    if (!choice)
        return refusal(connection, 400, QStringLiteral("Answer refused"),
                       QStringLiteral("No answer was chosen. Nothing was changed."));
    const QString note = form.queryItemValue(QStringLiteral("note"), QUrl::FullyDecoded).left(MaxNoteChars);
    if (!m_broker->answer(id, *choice, QString::fromLatin1(Approver), note)) // only a pending one is
        return refusal(connection, 409, QStringLiteral("Already answered"),
                       QStringLiteral("Approval %1 was answered already (or is over); this answer changed "
                                      "nothing.")
                           .arg(id));
    qCInfo(lcApprovals) << "approval" << id << "answered on its page:" << approvalChoiceName(*choice);
    // Back to the link, which now says what was decided (and a reload sends nothing again).
    connection->respond(303, pageHeaders().add("Location", request.path), {});
}

} // namespace gatehouse
