// `roadsight`'s command line: the dataset as DIR or --dataset, --version V as the dataset's version
// folder, --weights, sizes, and clear errors for malformed values.
#include <QCoreApplication>
#include <QTest>

#include "app/shell/shell_options.h"

using namespace rs;

class ShellOptionsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dataset_as_positional_or_option();
    void version_value_names_the_folder();
    void weights_and_sizes();
    void bad_values_are_errors();
};

namespace {

bool parse(const QStringList & args, ShellOptions & out, QString & error) {
    return parse_shell_options(QStringList(QStringLiteral("roadsight")) + args, out, error);
}

}  // namespace

void ShellOptionsTest::dataset_as_positional_or_option() {
    ShellOptions a, b, none;
    QString error;
    QVERIFY(parse({QStringLiteral("/data/nuscenes")}, a, error));
    QCOMPARE(a.dataset, QStringLiteral("/data/nuscenes"));
    QVERIFY(parse({QStringLiteral("--dataset"), QStringLiteral("/data/gen")}, b, error));
    QCOMPARE(b.dataset, QStringLiteral("/data/gen"));
    QVERIFY(parse({}, none, error));
    QVERIFY(none.dataset.isEmpty());
}

void ShellOptionsTest::version_value_names_the_folder() {
    ShellOptions o;
    QString error;
    QVERIFY(parse({QStringLiteral("--version"), QStringLiteral("v1.0-mini"), QStringLiteral("/data/nuscenes")}, o, error));
    QCOMPARE(o.version, QStringLiteral("v1.0-mini"));
    QCOMPARE(o.dataset, QStringLiteral("/data/nuscenes"));
}

void ShellOptionsTest::weights_and_sizes() {
    ShellOptions o;
    QString error;
    QVERIFY(parse({QStringLiteral("--weights"), QStringLiteral("shipped"), QStringLiteral("--size"), QStringLiteral("1600x1000"),
                   QStringLiteral("--camera-size"), QStringLiteral("320x180")},
                  o, error));
    QCOMPARE(o.weights, QStringLiteral("shipped"));
    QCOMPARE(o.size, QSize(1600, 1000));
    QCOMPARE(o.camera_size, QSize(320, 180));
}

void ShellOptionsTest::bad_values_are_errors() {
    const QList<QStringList> cases = {
        {QStringLiteral("--size"), QStringLiteral("big")},
        {QStringLiteral("--camera-size"), QStringLiteral("0x10")},
        {QStringLiteral("--frames"), QStringLiteral("-3")},
        {QStringLiteral("--bench-frames"), QStringLiteral("many")},
        {QStringLiteral("/a"), QStringLiteral("/b")},
        {QStringLiteral("--dataset"), QStringLiteral("/a"), QStringLiteral("/b")},
    };
    for (const QStringList & args : cases) {
        ShellOptions o;
        QString error;
        QVERIFY2(!parse(args, o, error), qPrintable(args.join(QLatin1Char(' '))));
        QVERIFY2(!error.isEmpty(), qPrintable(args.join(QLatin1Char(' '))));
    }
}

int main(int argc, char ** argv) {
    QCoreApplication app(argc, argv);
    ShellOptionsTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_ui_shell_options.moc"
