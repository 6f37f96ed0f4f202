// Live Sim in the shell: frames arrive from the worker, E takes the car from the expert, held keys
// drive it (the ego moves in the BEV), and the window copes without Vulkan.
#include <QApplication>
#include <QLabel>
#include <QTest>

#include <cmath>

#include "app/shell/main_window.h"
#include "app/shell/sim_source.h"
#include "app/shell/viewport_window.h"
#include "tests/ui/ui_test_env.h"

using namespace rs;

class LiveSimTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void frames_arrive_with_six_cameras();
    void keyboard_drives_the_ego();
    void missing_vulkan_shows_message();

private:
    std::unique_ptr<MainWindow> window_;
};

void LiveSimTest::initTestCase() {
    RS_REQUIRE_VULKAN(vulkan_unavailable_reason());
    MainWindowOptions w;
    w.interactive = false;
    w.camera_size = QSize(160, 90);
    window_ = std::make_unique<MainWindow>(w);
    window_->resize(1100, 700);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    RS_REQUIRE_VULKAN(window_->vulkan_available() ? QString() : window_->vulkan_message());
}

void LiveSimTest::cleanupTestCase() { window_.reset(); }

void LiveSimTest::frames_arrive_with_six_cameras() {
    QTRY_VERIFY_WITH_TIMEOUT(window_->latest_frame() && window_->latest_frame()->index >= 2, 30000);
    ViewFramePtr f = window_->latest_frame();
    QCOMPARE(int(f->images.size()), 6);
    for (const CameraImage & img : f->images) QCOMPARE(img.width, 160);
    QVERIFY(!f->boxes.empty());
    QVERIFY(f->bev.size > 0);
    QVERIFY(wait_for_view(*window_));
    QVERIFY(window_->viewport()->frames_rendered() > 0);
}

void LiveSimTest::keyboard_drives_the_ego() {
    ViewportWindow * view = window_->viewport();
    view->overlay().bev_follow_ego = false;  // world-fixed BEV: a moving ego moves on screen
    window_->activateWindow();
    view->requestActivate();
    QVERIFY(QTest::qWaitForWindowActive(view));
    QVERIFY(window_->sim()->expert());
    QTest::keyClick(view, Qt::Key_E);
    QVERIFY(!window_->sim()->expert());

    // Brake to a stop, then hold W and watch the ego move.
    QTest::keyPress(view, Qt::Key_S);
    QTRY_VERIFY_WITH_TIMEOUT(window_->latest_frame()->ego_speed < 0.2, 30000);
    QTest::keyRelease(view, Qt::Key_S);
    QVERIFY(wait_for_view(*window_));
    QImage before = view->grab_view();
    Vec3 start = window_->latest_frame()->ego_to_world.translation;
    QTest::keyPress(view, Qt::Key_W);
    QTRY_VERIFY_WITH_TIMEOUT(window_->latest_frame()->ego_speed > 2.0, 30000);
    QTest::keyRelease(view, Qt::Key_W);
    ViewFramePtr f = window_->latest_frame();
    QVERIFY(!f->expert);
    Vec3 end = f->ego_to_world.translation;
    QVERIFY2(std::hypot(end.x - start.x, end.y - start.y) > 0.5, "the ego did not move");

    QVERIFY(wait_for_view(*window_));
    QImage after = view->grab_view();
    QCOMPARE(after.size(), before.size());
    // The BEV (lower right of the view) changed: the ego marker and trajectory moved.
    QRect bev(after.width() / 2, after.height() * 2 / 3, after.width() / 2, after.height() / 3);
    int changed = 0;
    for (int y = bev.top(); y < bev.bottom(); y += 2)
        for (int x = bev.left(); x < bev.right(); x += 2) changed += before.pixel(x, y) != after.pixel(x, y);
    QVERIFY2(changed > 50, qPrintable(QStringLiteral("%1 BEV pixels changed").arg(changed)));

    QTest::keyClick(view, Qt::Key_E);
    QVERIFY(window_->sim()->expert());
}

void LiveSimTest::missing_vulkan_shows_message() {
    qputenv("ROADSIGHT_NO_VULKAN", "1");
    MainWindowOptions w;
    w.interactive = false;
    w.live_sim = false;
    MainWindow plain(w);
    qunsetenv("ROADSIGHT_NO_VULKAN");
    QVERIFY(!plain.vulkan_available());
    auto * label = qobject_cast<QLabel *>(plain.view_widget());
    QVERIFY(label);
    QVERIFY(label->text().contains(QStringLiteral("Vulkan")));
    QVERIFY(plain.action(QStringLiteral("open_dataset"))->isEnabled());
    plain.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plain));
}

int main(int argc, char ** argv) {
    isolate_settings("live_sim");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RoadsightTest"));
    QApplication::setApplicationName(QStringLiteral("LiveSim"));
    LiveSimTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_ui_live_sim.moc"
