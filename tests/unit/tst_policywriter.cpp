// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/PolicyParser.h"
#include "policy/PolicyWriter.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using namespace gatehouse;

class TestPolicyWriter : public QObject
{
    Q_OBJECT
private slots:
    void canonicalRoundTrip_data();
    void canonicalRoundTrip();
    void everyFieldRoundTrip();
    void nonCanonicalBecomesCanonical();
    void savedPolicyDecidesTheSame();
};

static QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Canonical files: these must come back byte for byte.
void TestPolicyWriter::canonicalRoundTrip_data()
{
    QTest::addColumn<QString>("file");
    const QString dir = QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/");
    for (const char* name : {"rolli-rerun-agent-run.json", "rolli-delete-agent-schedule-hidden.json",
                             "financial-requires-approval.json", "minimal-default-deny.json"})
        QTest::newRow(name) << dir + QString::fromLatin1(name);
    QTest::newRow("rolli-recommended")
        << QStringLiteral(GATEHOUSE_RESOURCES_DIR "/policies/rolli-recommended.json");
}

void TestPolicyWriter::canonicalRoundTrip()
{
    QFETCH(QString, file);
    const QByteArray original = readFile(file);
    QVERIFY(!original.isEmpty());
    const PolicyLoad load = PolicyParser::parse(original);
    QVERIFY(load.policy);
    QCOMPARE(PolicyWriter::toJson(*load.policy), original);
}

void TestPolicyWriter::everyFieldRoundTrip()
{
    const QByteArray canonical = R"({
  "version": "1",
  "description": "Every field, in canonical order: \"quoted\" and caf\u00e9 \u2713",
  "default": "approve",
  "hide": [
    "delete_agent_run",
    "delete_agent_schedule"
  ],
  "all_tools": {
    "limits": [
      {
        "counter": "all_calls",
        "window": 30,
        "max": 1000,
        "scope": "global"
      }
    ]
  },
  "approval": {
    "timeout_seconds": 20,
    "on_timeout": "deny"
  },
  "tools": {
    "a/b~c": {},
    "create_charge": {
      "action": "approve",
      "on_deny": "Charges need a person.",
      "require": [
        {
          "conditions": [
            {
              "path": "args.currency",
              "op": "in",
              "value": [
                "eur",
                "usd"
              ]
            },
            {
              "path": "args.meta[\"x.y\"][0]",
              "op": "exists",
              "value": false
            }
          ],
          "on_deny": "Only eur or usd.",
          "name": "currency"
        }
      ],
      "deny_if": [
        {
          "conditions": []
        }
      ],
      "approve_if": [
        {
          "conditions": [
            {
              "path": "args.amount",
              "op": "gt",
              "value": 99.5
            },
            {
              "path": "args.note",
              "op": "regex",
              "value": "^(?i)urgent\\b"
            },
            {
              "path": "args.o",
              "op": "eq",
              "value": {
                "a": null,
                "b": [
                  true,
                  -1,
                  1e+21
                ]
              }
            }
          ]
        }
      ],
      "limits": [
        {
          "counter": "spend",
          "window": "day",
          "max": 5000,
          "scope": "grant",
          "increment_from": "args.amount",
          "name": "daily spend"
        },
        {
          "counter": "charges",
          "window": "second",
          "max": 2
        }
      ]
    },
    "rerun_agent_run": {
      "action": "deny"
    }
  }
}
)";
    // The raw string keeps \u escapes literally; make the file real UTF-8 as the writer produces it.
    QByteArray utf8 = canonical;
    utf8.replace("\\u00e9", "\xc3\xa9");
    utf8.replace("\\u2713", "\xe2\x9c\x93");
    const PolicyLoad load = PolicyParser::parse(utf8);
    QVERIFY2(load.policy, load.errors.isEmpty() ? "" : qPrintable(load.errors.first().toString()));
    QCOMPARE(PolicyWriter::toJson(*load.policy), utf8);
}

void TestPolicyWriter::nonCanonicalBecomesCanonical()
{
    // Keys out of order, tools unsorted, compact: saving normalises, and saving again changes nothing.
    const QByteArray messy =
        R"({"tools":{"z":{},"a":{"limits":[{"scope":"grant","max":3,"window":"minute","counter":"c"}]}},"default":"deny","version":"1"})";
    const PolicyLoad first = PolicyParser::parse(messy);
    QVERIFY(first.policy);
    const QByteArray saved = PolicyWriter::toJson(*first.policy);
    QCOMPARE(saved, QByteArray(R"({
  "version": "1",
  "default": "deny",
  "tools": {
    "a": {
      "limits": [
        {
          "counter": "c",
          "window": "minute",
          "max": 3,
          "scope": "grant"
        }
      ]
    },
    "z": {}
  }
}
)"));
    const PolicyLoad second = PolicyParser::parse(saved);
    QVERIFY(second.policy);
    QCOMPARE(PolicyWriter::toJson(*second.policy), saved);
}

void TestPolicyWriter::savedPolicyDecidesTheSame()
{
    const PolicyLoad load =
        PolicyParser::parseFile(QStringLiteral(GATEHOUSE_TEST_DATA "/policylayer/shape-all-fields.json"));
    QVERIFY(load.policy);
    const QByteArray saved = PolicyWriter::toJson(*load.policy);
    const PolicyLoad again = PolicyParser::parse(saved);
    QVERIFY(again.policy);
    // Empty arrays are kept: the file said them, so the saved file says them too.
    QVERIFY(again.policy->allTools->limits->isEmpty());
    const ToolPolicy* t = again.policy->tool(QStringLiteral("create_charge"));
    QVERIFY(t && t->require && t->denyIf && t->limits);
    QCOMPARE(*again.policy->hide, QStringList{QStringLiteral("delete_account")});
}

QTEST_APPLESS_MAIN(TestPolicyWriter)
#include "tst_policywriter.moc"
