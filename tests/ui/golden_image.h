// Golden-image checks for the UI tests: an image matches when at most `max_bad_fraction` of its
// pixels differ by more than `tolerance` in any channel. On a mismatch the actual image and a diff
// (white = match, red = mismatch) go to the build folder and their paths are printed.
// ROADSIGHT_UPDATE_GOLDEN=1 rewrites the golden instead of comparing.
#pragma once

#include <QImage>
#include <QString>

namespace rs {

struct GoldenResult {
    bool ok = false;
    QString message;
};

GoldenResult compare_golden(const QImage & actual, const QString & name, int tolerance = 40,
                            double max_bad_fraction = 0.01);

}  // namespace rs
