// The shell on a small generated dataset: open it (worker + progress), step with keys, compare the
// view with a golden image, toggle a class off, resize, and round-trip the settings.
#include <QApplication>
#include <QDir>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

#include "app/shell/class_palette.h"
#include "app/shell/main_window.h"
#include "app/shell/timeline_dock.h"
#include "app/shell/viewport_window.h"
#include "engine/dataset_generator.h"
#include "render/offscreen_camera_renderer.h"
#include "tests/ui/golden_image.h"
#include "tests/ui/ui_test_env.h"

using namespace rs;

class DatasetViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void opens_dataset_and_lists_scene();
    void steps_with_keys();
    void view_matches_golden();
    void class_toggle_hides_its_boxes();
    void resize_keeps_drawing();
    void settings_round_trip();
    void tracks_follow_the_annotations();

private:
    QImage grab_view();
    void show_position(int position);
    int count_colour(const QImage & img, Rgb8 colour, const QRect & area) const;

    QString dataset_dir_;
    std::unique_ptr<MainWindow> window_;
};

void DatasetViewTest::initTestCase() {
    RS_REQUIRE_VULKAN(vulkan_unavailable_reason());
    dataset_dir_ = QDir::temp().filePath(QStringLiteral("roadsight_ui_dataset_%1").arg(QCoreApplication::applicationPid()));
    QDir(dataset_dir_).removeRecursively();
    GenerateOptions o;
    o.out_dir = dataset_dir_.toStdString();
    o.version = "v1.0-mini";
    o.scenes = 1;
    o.seconds = 1.0;
    o.seed = 7;
    o.width = 320;
    o.height = 180;
    o.warmup_seconds = 1.0;
    o.scenario.town_blocks = 3;
    {
        OffscreenCameraRenderer renderer;
        JobContext job;
        generate_dataset(o, renderer, job);
    }

    MainWindowOptions w;
    w.interactive = false;
    w.live_sim = false;
    window_ = std::make_unique<MainWindow>(w);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    RS_REQUIRE_VULKAN(window_->vulkan_available() ? QString() : window_->vulkan_message());
    // Goldens hold cameras, boxes and the BEV; the HUD's live numbers would never match.
    window_->viewport()->overlay().hud = false;

    QSignalSpy opened(window_.get(), &MainWindow::dataset_opened);
    window_->open_dataset(dataset_dir_);
    QVERIFY(opened.wait(30000));
    QCOMPARE(opened.first().at(0).toBool(), true);
    QVERIFY(wait_for_view(*window_));
}

void DatasetViewTest::cleanupTestCase() {
    window_.reset();
    if (!dataset_dir_.isEmpty()) QDir(dataset_dir_).removeRecursively();
}

QImage DatasetViewTest::grab_view() {
    if (!wait_for_view(*window_)) return {};
    return window_->viewport()->grab_view();
}

void DatasetViewTest::show_position(int position) {
    window_->timeline()->set_position(position);
    QTRY_VERIFY(window_->latest_frame() && int(window_->latest_frame()->index) == position);
}

int DatasetViewTest::count_colour(const QImage & img, Rgb8 c, const QRect & area) const {
    int n = 0;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x) {
            QRgb p = img.pixel(x, y);
            if (std::abs(qRed(p) - c.r) < 12 && std::abs(qGreen(p) - c.g) < 12 && std::abs(qBlue(p) - c.b) < 12) ++n;
        }
    return n;
}

void DatasetViewTest::opens_dataset_and_lists_scene() {
    QCOMPARE(window_->mode(), MainWindow::Mode::dataset);
    QCOMPARE(window_->scene_list()->count(), 1);
    QCOMPARE(window_->timeline()->count(), 3);  // 1 s at 2 Hz, both ends
    ViewFramePtr f = window_->latest_frame();
    QVERIFY(f);
    QCOMPARE(int(f->images.size()), 6);
    for (const CameraImage & img : f->images) QCOMPARE(img.width, 320);
    QVERIFY(!f->boxes.empty());
    QCOMPARE(window_->recent_datasets().value(0), QDir(dataset_dir_).absolutePath());
}

void DatasetViewTest::steps_with_keys() {
    QWindow * view = window_->viewport();
    // Window shortcuts reach the embedded Vulkan window only while it is the active focus window.
    window_->activateWindow();
    view->requestActivate();
    QVERIFY(QTest::qWaitForWindowActive(view));
    show_position(0);
    QTest::keyClick(view, Qt::Key_Right);
    QCOMPARE(window_->timeline()->position(), 1);
    QTest::keyClick(view, Qt::Key_Left);
    QCOMPARE(window_->timeline()->position(), 0);
    QTest::keyClick(view, Qt::Key_End);
    QCOMPARE(window_->timeline()->position(), 2);
    QTest::keyClick(view, Qt::Key_Home);
    QCOMPARE(window_->timeline()->position(), 0);
    QTest::keyClick(view, Qt::Key_Right, Qt::ShiftModifier);  // +10, clamped to the last sample
    QCOMPARE(window_->timeline()->position(), 2);
    QTest::keyClick(view, Qt::Key_Left, Qt::ShiftModifier);
    QCOMPARE(window_->timeline()->position(), 0);
    QTest::keyClick(view, Qt::Key_Space);
    QVERIFY(window_->timeline()->playing());
    QTest::keyClick(view, Qt::Key_Space);
    QVERIFY(!window_->timeline()->playing());
    QTRY_VERIFY(window_->latest_frame() && window_->latest_frame()->index == size_t(window_->timeline()->position()));
}

void DatasetViewTest::view_matches_golden() {
    show_position(1);
    QImage img = grab_view();
    QVERIFY(!img.isNull());
    GoldenResult r = compare_golden(img, QStringLiteral("dataset_sample1.png"));
    QVERIFY2(r.ok, qPrintable(r.message));
}

void DatasetViewTest::class_toggle_hides_its_boxes() {
    show_position(1);
    ViewFramePtr f = window_->latest_frame();
    // The class with the most boxes in this sample; its colour must vanish from the cameras.
    std::array<int, kNumObjectClasses> counts{};
    for (const ViewBox & b : f->boxes) ++counts[size_t(b.cls)];
    ObjectClass cls = ObjectClass(std::max_element(counts.begin(), counts.end()) - counts.begin());
    OverlaySettings & o = window_->viewport()->overlay();
    QImage before = grab_view();
    QVERIFY(!before.isNull());
    QRect area(0, 0, before.width(), before.height());
    int shown = count_colour(before, class_colour(cls), area);
    QVERIFY2(shown > 40, qPrintable(QStringLiteral("%1 pixels of %2").arg(shown).arg(class_name(cls))));
    o.class_visible[size_t(cls)] = false;
    window_->viewport()->schedule_frame();
    QImage after = window_->viewport()->grab_view();
    int hidden = count_colour(after, class_colour(cls), area);
    o.class_visible[size_t(cls)] = true;
    QVERIFY2(hidden < shown / 10, qPrintable(QStringLiteral("%1 -> %2 pixels").arg(shown).arg(hidden)));
}

void DatasetViewTest::resize_keeps_drawing() {
    window_->resize(900, 620);
    QTRY_COMPARE(window_->viewport()->width(), window_->view_widget()->width());
    QImage img = window_->viewport()->grab_view();
    QCOMPARE(img.size(), window_->viewport()->size() * window_->viewport()->devicePixelRatio());
    // Not a blank clear colour: the camera quads are drawn at the new size.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
        for (int x = 0; x < img.width(); x += 7) colours.insert(img.pixel(x, y));
    QVERIFY(colours.size() > 200);
    window_->resize(1280, 800);
}

void DatasetViewTest::settings_round_trip() {
    OverlaySettings & o = window_->viewport()->overlay();
    o.mirror_back_row = true;
    o.bev_follow_ego = false;
    o.class_visible[size_t(ObjectClass::barrier)] = false;
    o.score_threshold = 0.25f;
    window_->timeline()->set_loop(true);
    window_->resize(1100, 700);
    QTest::qWait(50);
    window_->save_settings();

    MainWindowOptions w;
    w.interactive = false;
    w.live_sim = false;
    MainWindow second(w);
    QVERIFY(second.viewport());
    const OverlaySettings & r = second.viewport()->overlay();
    QCOMPARE(r.mirror_back_row, true);
    QCOMPARE(r.bev_follow_ego, false);
    QCOMPARE(r.class_visible[size_t(ObjectClass::barrier)], false);
    QCOMPARE(r.class_visible[size_t(ObjectClass::car)], true);
    QCOMPARE(r.score_threshold, 0.25f);
    QCOMPARE(second.timeline()->loop(), true);
    QCOMPARE(second.recent_datasets(), window_->recent_datasets());
    QCOMPARE(second.size(), QSize(1100, 700));
    o = OverlaySettings{};
    o.hud = false;
}

void DatasetViewTest::tracks_follow_the_annotations() {
    show_position(1);  // the middle of three samples
    ViewFramePtr f = window_->latest_frame();
    QVERIFY(f);
    QCOMPARE(int(f->trajectory.size()), 2);  // the ego: samples 0..1 behind, 1..2 ahead
    QCOMPARE(int(f->future.size()), 2);
    int tracked = 0;
    for (const ViewBox & b : f->boxes) {
        QVERIFY(!b.past.empty() && !b.future.empty());
        auto at_box = [&](const Vec3 & p) { return std::hypot(p.x - b.box.center.x, p.y - b.box.center.y) < 1e-9; };
        QVERIFY(at_box(b.past.back()) && at_box(b.future.front()));
        QVERIFY(b.past.size() <= 2 && b.future.size() <= 2);
        if (b.past.size() == 2 && b.future.size() == 2) ++tracked;
    }
    QVERIFY2(tracked > 0, "no object annotated in all three samples");
    show_position(0);
    for (const ViewBox & b : window_->latest_frame()->boxes) QCOMPARE(int(b.past.size()), 1);
}

int main(int argc, char ** argv) {
    isolate_settings("dataset_view");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RoadsightTest"));
    QApplication::setApplicationName(QStringLiteral("DatasetView"));
    DatasetViewTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_ui_dataset_view.moc"
