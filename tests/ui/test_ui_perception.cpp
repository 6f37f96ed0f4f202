// Perception in the shell: BEVFormer weights load on a worker thread, every dataset frame then
// carries the model's boxes beside the ground truth, they draw (dashed) and hide with their toggle,
// stepping keeps perceiving, bad weights give an error naming the file, stopping removes them, and
// the Live Sim carries the model's boxes too.
// The weights are a freshly initialised embedded model: this tests the path, not the accuracy.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

#include "app/shell/main_window.h"
#include "app/shell/timeline_dock.h"
#include "app/shell/viewport_window.h"
#include "engine/dataset_generator.h"
#include "render/offscreen_camera_renderer.h"
#include "tests/ui/random_bevformer_weights.h"
#include "tests/ui/ui_test_env.h"

using namespace rs;

namespace {

int predicted_count(const ViewFramePtr & f) {
    int n = 0;
    if (f)
        for (const ViewBox & b : f->boxes) n += b.predicted;
    return n;
}

int differing_pixels(const QImage & a, const QImage & b) {
    if (a.size() != b.size()) return -1;
    int n = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) n += a.pixel(x, y) != b.pixel(x, y);
    return n;
}

}  // namespace

class PerceptionTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void bad_weights_name_the_file();
    void predictions_arrive_with_each_frame();
    void predictions_draw_and_toggle();
    void stop_removes_predictions();
    void live_sim_carries_predictions();

private:
    bool wait_for_predictions(size_t position);

    QString dir_, dataset_dir_, weights_;
    std::unique_ptr<MainWindow> window_;
};

void PerceptionTest::initTestCase() {
    RS_REQUIRE_VULKAN(vulkan_unavailable_reason());
    dir_ = QDir::temp().filePath(QStringLiteral("roadsight_ui_perception_%1").arg(QCoreApplication::applicationPid()));
    QDir(dir_).removeRecursively();
    QVERIFY(QDir().mkpath(dir_));
    dataset_dir_ = dir_ + QStringLiteral("/dataset");
    weights_ = dir_ + QStringLiteral("/embedded.safetensors");
    GenerateOptions o;
    o.out_dir = dataset_dir_.toStdString();
    o.version = "v1.0-mini";
    o.scenes = 1;
    o.seconds = 1.0;
    o.seed = 11;
    o.width = 320;
    o.height = 180;
    o.warmup_seconds = 1.0;
    o.scenario.town_blocks = 3;
    {
        OffscreenCameraRenderer renderer;
        JobContext job;
        generate_dataset(o, renderer, job);
    }
    write_random_bevformer_weights(weights_.toStdString());

    MainWindowOptions w;
    w.interactive = false;
    w.live_sim = false;
    window_ = std::make_unique<MainWindow>(w);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    RS_REQUIRE_VULKAN(window_->vulkan_available() ? QString() : window_->vulkan_message());
    window_->viewport()->overlay().hud = false;
    // An untrained model scores everything low; show every box.
    window_->viewport()->overlay().score_threshold = 0.0f;

    QSignalSpy opened(window_.get(), &MainWindow::dataset_opened);
    window_->open_dataset(dataset_dir_);
    QVERIFY(opened.wait(30000));
    QCOMPARE(opened.first().at(0).toBool(), true);
    QVERIFY(wait_for_view(*window_));
    QCOMPARE(predicted_count(window_->latest_frame()), 0);
}

void PerceptionTest::cleanupTestCase() {
    window_.reset();
    if (!dir_.isEmpty()) QDir(dir_).removeRecursively();
}

bool PerceptionTest::wait_for_predictions(size_t position) {
    // The worker posts the ground truth first, then the same frame with the model's boxes.
    return QTest::qWaitFor(
        [&] {
            ViewFramePtr f = window_->latest_frame();
            return f && f->index == position && predicted_count(f) > 0;
        },
        60000);
}

void PerceptionTest::bad_weights_name_the_file() {
    const QString bad = dir_ + QStringLiteral("/not_weights.safetensors");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is no safetensors file");
    f.close();
    QSignalSpy loaded(window_.get(), &MainWindow::perceiver_loaded);
    window_->load_perceiver(bad);
    QVERIFY(loaded.wait(30000));
    QCOMPARE(loaded.first().at(0).toBool(), false);
    const QString message = loaded.first().at(1).toString();
    QVERIFY2(message.contains(QStringLiteral("not_weights.safetensors")), qPrintable(message));
    QVERIFY(!window_->has_perceiver());
}

void PerceptionTest::predictions_arrive_with_each_frame() {
    window_->timeline()->set_position(0);
    QSignalSpy loaded(window_.get(), &MainWindow::perceiver_loaded);
    window_->load_perceiver(weights_);
    QVERIFY(loaded.wait(60000));
    QVERIFY2(loaded.first().at(0).toBool(), qPrintable(loaded.first().at(1).toString()));
    QVERIFY(window_->has_perceiver());
    QVERIFY(wait_for_predictions(0));
    ViewFramePtr f = window_->latest_frame();
    QVERIFY2(QString::fromStdString(f->perception).startsWith(QStringLiteral("BEVFormer embedded")),
             f->perception.c_str());
    int truth = 0;
    for (const ViewBox & b : f->boxes) {
        if (!b.predicted) {
            ++truth;
            continue;
        }
        QVERIFY(b.score >= 0.0f && b.score <= 1.0f);
        QVERIFY(b.box.size.x > 0 && b.box.size.y > 0 && b.box.size.z > 0);
        // Predictions are global boxes around the ego (the model's range is ±51.2 m).
        const Vec3 d = b.box.center - f->ego_to_world.translation;
        QVERIFY2(std::hypot(d.x, d.y) < 80.0, qPrintable(QString::number(std::hypot(d.x, d.y))));
    }
    QVERIFY(truth > 0);
    QCOMPARE(predicted_count(f), 100);  // the embedded config's top-k

    // Each new frame is perceived too.
    window_->timeline()->step(1);
    QVERIFY(wait_for_predictions(1));
}

void PerceptionTest::predictions_draw_and_toggle() {
    QVERIFY(wait_for_predictions(1));
    QVERIFY(wait_for_view(*window_));
    QImage shown = window_->viewport()->grab_view();
    QAction * toggle = window_->action(QStringLiteral("predictions"));
    QVERIFY(toggle);
    toggle->trigger();
    QVERIFY(!window_->viewport()->overlay().predictions);
    window_->viewport()->schedule_frame();
    QImage hidden = window_->viewport()->grab_view();
    toggle->trigger();
    QVERIFY(window_->viewport()->overlay().predictions);
    const int changed = differing_pixels(shown, hidden);
    QVERIFY2(changed > 500, qPrintable(QStringLiteral("%1 pixels changed").arg(changed)));
}

void PerceptionTest::stop_removes_predictions() {
    window_->stop_perceiver();
    QVERIFY(!window_->has_perceiver());
    QVERIFY(QTest::qWaitFor(
        [&] {
            ViewFramePtr f = window_->latest_frame();
            return f && f->index == 1 && predicted_count(f) == 0 && f->perception.empty();
        },
        30000));
}

void PerceptionTest::live_sim_carries_predictions() {
    QSignalSpy loaded(window_.get(), &MainWindow::perceiver_loaded);
    window_->load_perceiver(weights_);
    QVERIFY(loaded.wait(60000));
    QVERIFY(loaded.first().at(0).toBool());
    window_->start_live_sim();
    QCOMPARE(window_->mode(), MainWindow::Mode::live_sim);
    // The sim never waits for the model: frames come at once, the model's boxes once it has seen one.
    QVERIFY(QTest::qWaitFor([&] { return predicted_count(window_->latest_frame()) > 0; }, 60000));
    ViewFramePtr f = window_->latest_frame();
    QCOMPARE(predicted_count(f), 100);
    QVERIFY2(f->perception.find(" ago)") != std::string::npos, f->perception.c_str());
    QVERIFY(std::any_of(f->boxes.begin(), f->boxes.end(), [](const ViewBox & b) { return !b.predicted; }));
    window_->stop_perceiver();
    QVERIFY(QTest::qWaitFor([&] { return window_->latest_frame() && predicted_count(window_->latest_frame()) == 0; }, 30000));
}

int main(int argc, char ** argv) {
    isolate_settings("perception");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RoadsightTest"));
    QApplication::setApplicationName(QStringLiteral("Perception"));
    PerceptionTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_ui_perception.moc"
