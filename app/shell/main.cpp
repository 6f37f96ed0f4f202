// `roadsight`: the desktop shell. Batch modes (--screenshot, --bench-frames) drive the same window
// and exit, for README pictures and view benchmarks under Xvfb + lavapipe.
#include <QApplication>
#include <QPalette>
#include <QScreen>
#include <QTimer>

#include <cstdio>

#include "app/shell/main_window.h"
#include "app/shell/shell_options.h"
#include "app/shell/sim_source.h"
#include "app/shell/viewport_window.h"
#include "models/bevformer/bevformer_perceiver.h"

namespace {

// Saves the whole main window as the X server shows it (docks and the Vulkan view together).
bool save_window(rs::MainWindow & window, const QString & path) {
    QPixmap shot;
    if (QScreen * screen = window.screen()) shot = screen->grabWindow(window.winId());
    if (shot.isNull()) shot = window.grab();
    return shot.save(path, "PNG");
}

// Fusion with a dark palette, so docks and menus sit quietly around the dark view.
void apply_dark_theme(QApplication & app) {
    app.setStyle(QStringLiteral("Fusion"));
    QPalette p;
    const QColor window(30, 33, 38), base(22, 25, 29), text(222, 226, 232), accent(74, 144, 226);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(130, 136, 145));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 125, 133));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(120, 125, 133));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 125, 133));
    app.setPalette(p);
}

void set_identity() {
    QCoreApplication::setOrganizationName(QStringLiteral("Roadsight"));
    QCoreApplication::setApplicationName(QStringLiteral("Roadsight"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ROADSIGHT_VERSION));
}

}  // namespace

int main(int argc, char ** argv) {
    rs::ShellOptions opt;
    {
        // Parsed before any display is opened, so --help and --version work without one.
        QCoreApplication probe(argc, argv);
        set_identity();
        QString error;
        if (!rs::parse_shell_options(QCoreApplication::arguments(), opt, error)) {
            std::fprintf(stderr, "roadsight: %s\n", qPrintable(error));
            return 2;
        }
    }
    QApplication app(argc, argv);
    set_identity();
    QApplication::setDesktopFileName(QStringLiteral("roadsight"));
    apply_dark_theme(app);
    bool batch = !opt.screenshot.isEmpty() || opt.bench_frames > 0;
    rs::MainWindowOptions wopt;
    wopt.camera_size = opt.camera_size;
    wopt.interactive = !batch;
    wopt.live_sim = opt.dataset.isEmpty();
    rs::MainWindow window(wopt);
    if (opt.size.isValid()) window.resize(opt.size);
    else if (batch) window.resize(1600, 1000);
    window.show();
    if (!opt.weights.isEmpty()) {
        QString weights = opt.weights;
        if (weights == QStringLiteral("shipped")) weights = QString::fromStdString(rs::shipped_bevformer_weights());
        if (weights.isEmpty()) {
            std::fprintf(stderr, "roadsight: --weights shipped, but no assets/bevformer_embedded.safetensors is installed\n");
            return 1;
        }
        window.load_perceiver(weights);
    }
    if (!opt.dataset.isEmpty()) window.open_dataset(opt.dataset, opt.version);

    if (!batch) return app.exec();

    int exit_code = 0;
    int frames_seen = 0;
    bool done = false;
    auto finish = [&](int code) {
        if (done) return;
        done = true;
        exit_code = code;
        QTimer::singleShot(0, &app, &QApplication::quit);
    };
    auto fail_on_error = [&](bool ok, const QString & msg) {
        if (!ok) {
            std::fprintf(stderr, "roadsight: %s\n", qPrintable(msg));
            finish(1);
        }
    };
    QObject::connect(&window, &rs::MainWindow::dataset_opened, &app, fail_on_error);
    QObject::connect(&window, &rs::MainWindow::perceiver_loaded, &app, fail_on_error);
    rs::ViewportWindow * view = window.viewport();
    if (opt.bench_frames > 0) {
        if (!view) {
            std::fprintf(stderr, "roadsight: no Vulkan view: %s\n", qPrintable(window.vulkan_message()));
            return 1;
        }
        QObject::connect(view, &rs::ViewportWindow::bench_finished, &app, [&](double frame_ms, double cpu_ms, int n) {
            QSize s = view->size();
            std::printf("view %dx%d, %d frames (six cameras + BEV + overlays, all textures re-uploaded): "
                        "mean %.2f ms/frame (%.1f fps), CPU record %.2f ms, device %s\n",
                        s.width(), s.height(), n, frame_ms, 1000.0 / frame_ms, cpu_ms, qPrintable(view->gpu_name()));
            finish(0);
        });
    }
    // Batch work starts once enough source frames reached the screen, or when they stop coming:
    // a paused dataset shows one sample (plus one more with predictions when a model runs).
    bool started = false;
    auto start_batch = [&] {
        if (done || started) return;
        started = true;
        const int wanted = opt.bench_frames > 0 ? 3 : opt.frames;
        if (frames_seen < wanted)
            std::fprintf(stderr, "roadsight: %d of %d frames came; going on with those\n", frames_seen, wanted);
        // One more view frame so the last source frame is on screen before anything is measured.
        QTimer::singleShot(300, &app, [&] {
            if (opt.bench_frames > 0) {
                if (window.sim()) window.sim()->set_paused(true);
                view->start_bench(opt.bench_frames);
                return;
            }
            bool ok = save_window(window, opt.screenshot);
            std::printf("%s %s\n", ok ? "wrote" : "could not write", qPrintable(opt.screenshot));
            finish(ok ? 0 : 1);
        });
    };
    QTimer idle;
    idle.setSingleShot(true);
    idle.setInterval(15000);
    QObject::connect(&idle, &QTimer::timeout, &app, [&] { if (frames_seen > 0) start_batch(); });
    QObject::connect(&window, &rs::MainWindow::frame_arrived, &app, [&] {
        ++frames_seen;
        idle.start();
        if (frames_seen == (opt.bench_frames > 0 ? 3 : opt.frames)) start_batch();
    });
    // Without Vulkan no frame may ever be drawn; still give the screenshot a chance.
    if (!view && !opt.screenshot.isEmpty())
        QTimer::singleShot(3000, &app, [&] { finish(save_window(window, opt.screenshot) ? 0 : 1); });
    int rc = app.exec();
    return done ? exit_code : rc;
}
