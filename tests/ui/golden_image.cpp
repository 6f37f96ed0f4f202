#include "tests/ui/golden_image.h"

#include <QDir>

#include <algorithm>
#include <cstdlib>

namespace rs {

GoldenResult compare_golden(const QImage & actual_in, const QString & name, int tolerance, double max_bad_fraction) {
    QImage actual = actual_in.convertToFormat(QImage::Format_RGB32);
    QString golden_path = QDir(QStringLiteral(ROADSIGHT_UI_GOLDEN_DIR)).filePath(name);
    if (qgetenv("ROADSIGHT_UPDATE_GOLDEN") == "1") {
        QDir().mkpath(QStringLiteral(ROADSIGHT_UI_GOLDEN_DIR));
        bool saved = actual.save(golden_path, "PNG");
        return {saved, saved ? QStringLiteral("golden updated: %1").arg(golden_path)
                             : QStringLiteral("could not write %1").arg(golden_path)};
    }
    QImage golden(golden_path);
    QDir out(QStringLiteral(ROADSIGHT_UI_OUTPUT_DIR));
    out.mkpath(QStringLiteral("."));
    QString actual_path = out.filePath(QStringLiteral("actual_") + name);
    QString diff_path = out.filePath(QStringLiteral("diff_") + name);
    if (golden.isNull()) {
        actual.save(actual_path, "PNG");
        return {false, QStringLiteral("no golden %1 (run with ROADSIGHT_UPDATE_GOLDEN=1); actual: %2").arg(golden_path, actual_path)};
    }
    golden = golden.convertToFormat(QImage::Format_RGB32);
    if (golden.size() != actual.size()) {
        actual.save(actual_path, "PNG");
        return {false, QStringLiteral("size %1x%2, golden %3x%4; actual: %5")
                           .arg(actual.width()).arg(actual.height()).arg(golden.width()).arg(golden.height()).arg(actual_path)};
    }
    QImage diff(actual.size(), QImage::Format_RGB32);
    qint64 bad = 0;
    for (int y = 0; y < actual.height(); ++y) {
        const QRgb * a = reinterpret_cast<const QRgb *>(actual.constScanLine(y));
        const QRgb * g = reinterpret_cast<const QRgb *>(golden.constScanLine(y));
        QRgb * d = reinterpret_cast<QRgb *>(diff.scanLine(y));
        for (int x = 0; x < actual.width(); ++x) {
            int delta = std::max({std::abs(qRed(a[x]) - qRed(g[x])), std::abs(qGreen(a[x]) - qGreen(g[x])),
                                  std::abs(qBlue(a[x]) - qBlue(g[x]))});
            bool mismatch = delta > tolerance;
            bad += mismatch;
            d[x] = mismatch ? qRgb(255, 0, 0) : qRgb(255, 255, 255);
        }
    }
    double fraction = double(bad) / double(qint64(actual.width()) * actual.height());
    if (fraction <= max_bad_fraction) return {true, QStringLiteral("%1: %2% pixels differ").arg(name).arg(fraction * 100, 0, 'f', 3)};
    actual.save(actual_path, "PNG");
    diff.save(diff_path, "PNG");
    return {false, QStringLiteral("%1: %2% of pixels differ by more than %3 (allowed %4%)\n  actual: %5\n  diff:   %6")
                       .arg(name).arg(fraction * 100, 0, 'f', 3).arg(tolerance).arg(max_bad_fraction * 100)
                       .arg(actual_path, diff_path)};
}

}  // namespace rs
