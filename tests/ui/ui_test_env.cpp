#include "tests/ui/ui_test_env.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTest>

#include "app/shell/main_window.h"
#include "app/shell/viewport_window.h"
#include "render/offscreen_camera_renderer.h"

namespace rs {

void isolate_settings(const char * test_name) {
    QString dir = QDir::temp().filePath(QStringLiteral("roadsight_%1_%2").arg(QString::fromLatin1(test_name)).arg(QCoreApplication::applicationPid()));
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    qputenv("XDG_CONFIG_HOME", dir.toLocal8Bit());
}

bool running_under_ci() { return qgetenv("CI") == "true"; }

QString vulkan_unavailable_reason() {
    try {
        OffscreenCameraRenderer probe;
        return {};
    } catch (const std::exception & e) {
        return QString::fromStdString(e.what());
    }
}

bool wait_for_view(MainWindow & window, int timeout_ms) {
    ViewportWindow * view = window.viewport();
    if (!view) return false;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeout_ms) {
        QTest::qWait(20);
        if (window.latest_frame() && view->shown_sequence() != 0 && view->shown_sequence() == window.frame_sequence()) return true;
    }
    return false;
}

}  // namespace rs
