#include "app/shell/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSettings>
#include <QStatusBar>
#include <QVulkanInstance>

#include "app/shell/dataset_loader.h"
#include "app/shell/dataset_source.h"
#include "app/shell/perceiver_loader.h"
#include "app/shell/shortcuts_dialog.h"
#include "app/shell/sim_source.h"
#include "app/shell/timeline_dock.h"
#include "app/shell/viewport_window.h"
#include "models/bevformer/bevformer_perceiver.h"

namespace rs {

namespace {

constexpr int kMaxRecent = 8;

QString no_vulkan_page(const QString & reason) {
    return QStringLiteral(
               "<div style='font-size:15px'><p style='font-size:20px'><b>No Vulkan view</b></p>"
               "<p>%1</p><p>Roadsight draws cameras and the BEV with Vulkan. Install a driver (for a CPU-only "
               "machine: <code>mesa-vulkan-drivers</code>, which provides lavapipe) and run on a display server "
               "with Vulkan support (X11 or Wayland; the <code>offscreen</code> platform has none).</p>"
               "<p>Everything else still works: open datasets, browse scenes, use the timeline.</p></div>")
        .arg(reason.toHtmlEscaped());
}

}  // namespace

MainWindow::MainWindow(const MainWindowOptions & options, QWidget * parent) : QMainWindow(parent), options_(options) {
    setObjectName(QStringLiteral("main_window"));
    setWindowTitle(QStringLiteral("Roadsight"));
    create_view();
    create_docks();
    create_actions();

    mode_label_ = new QLabel(this);
    gpu_label_ = new QLabel(this);
    fps_label_ = new QLabel(this);
    fps_label_->setMinimumWidth(210);
    statusBar()->addPermanentWidget(mode_label_);
    statusBar()->addPermanentWidget(gpu_label_);
    statusBar()->addPermanentWidget(fps_label_);
    status_timer_.setInterval(500);
    connect(&status_timer_, &QTimer::timeout, this, &MainWindow::update_status);
    status_timer_.start();

    // Workers post from their threads; the UI reacts on its own thread. Queued calls die with `this`.
    mailbox_.set_listener([this] { QMetaObject::invokeMethod(this, [this] { on_frame_posted(); }, Qt::QueuedConnection); });

    resize(1600, 1000);
    restore_settings();
    set_mode(Mode::live_sim);
    if (options_.live_sim) start_live_sim();
}

MainWindow::~MainWindow() {
    delete loader_;
    delete perceiver_loader_;
    sim_.reset();
    dataset_.reset();
    mailbox_.set_listener({});
    // The Vulkan window must go before the instance it was created on.
    delete view_widget_;
    view_widget_ = nullptr;
    viewport_ = nullptr;
}

void MainWindow::create_view() {
    vulkan_ = std::make_unique<QVulkanInstance>();
    vulkan_->setApiVersion(QVersionNumber(1, 0));
    if (qEnvironmentVariableIsSet("ROADSIGHT_NO_VULKAN")) {
        vulkan_message_ = tr("Vulkan was turned off with ROADSIGHT_NO_VULKAN.");
    } else if (!vulkan_->create()) {
        vulkan_message_ = tr("QVulkanInstance::create() failed (VkResult %1) on the \"%2\" platform.")
                              .arg(vulkan_->errorCode())
                              .arg(QGuiApplication::platformName());
    } else {
        auto * window = new ViewportWindow(mailbox_);
        window->setVulkanInstance(vulkan_.get());
        if (window->availablePhysicalDevices().isEmpty()) {
            vulkan_message_ = tr("The Vulkan driver reports no physical device.");
            delete window;
        } else {
            viewport_ = window;
        }
    }
    if (viewport_) {
        view_widget_ = QWidget::createWindowContainer(viewport_, this);
        view_widget_->setObjectName(QStringLiteral("viewport"));
        view_widget_->setFocusPolicy(Qt::StrongFocus);
        view_widget_->setMinimumSize(320, 200);
        connect(viewport_, &ViewportWindow::drive_keys_changed, this, &MainWindow::on_drive_keys);
        connect(viewport_, &ViewportWindow::gpu_ready, this, [this] { update_status(); });
    } else {
        auto * label = new QLabel(no_vulkan_page(vulkan_message_), this);
        label->setObjectName(QStringLiteral("no_vulkan_message"));
        label->setWordWrap(true);
        label->setAlignment(Qt::AlignCenter);
        label->setMargin(48);
        label->setTextFormat(Qt::RichText);
        view_widget_ = label;
    }
    setCentralWidget(view_widget_);
}

void MainWindow::create_docks() {
    auto * scenes_dock = new QDockWidget(tr("Scenes"), this);
    scenes_dock->setObjectName(QStringLiteral("scenes_dock"));
    scenes_ = new QListWidget(scenes_dock);
    scenes_->setObjectName(QStringLiteral("scene_list"));
    scenes_->setMinimumWidth(200);
    scenes_dock->setWidget(scenes_);
    addDockWidget(Qt::LeftDockWidgetArea, scenes_dock);
    connect(scenes_, &QListWidget::currentRowChanged, this, &MainWindow::on_scene_selected);

    timeline_ = new TimelineDock(this);
    addDockWidget(Qt::BottomDockWidgetArea, timeline_);
    connect(timeline_, &TimelineDock::position_changed, this, [this](int pos) {
        if (dataset_) dataset_->request(size_t(pos));
    });
}

QAction * MainWindow::add_action(QMenu * menu, const QString & name, const QString & text, const QKeySequence & key) {
    auto * a = new QAction(text, this);
    a->setObjectName(name);
    a->setShortcut(key);
    // The view is a separate native window; window-wide shortcuts reach it too.
    a->setShortcutContext(Qt::WindowShortcut);
    menu->addAction(a);
    return a;
}

QAction * MainWindow::action(const QString & name) const { return findChild<QAction *>(name); }

void MainWindow::create_actions() {
    QMenu * file = menuBar()->addMenu(tr("&File"));
    connect(add_action(file, QStringLiteral("open_dataset"), tr("&Open Dataset..."), QKeySequence::Open),
            &QAction::triggered, this, [this] {
                QString dir = QFileDialog::getExistingDirectory(this, tr("Open nuScenes dataset folder"),
                                                                recent_.isEmpty() ? QDir::homePath() : recent_.first());
                if (!dir.isEmpty()) open_dataset(dir);
            });
    recent_menu_ = file->addMenu(tr("Open &Recent"));
    connect(add_action(file, QStringLiteral("live_sim"), tr("&Live Sim"), QKeySequence(Qt::CTRL | Qt::Key_L)),
            &QAction::triggered, this, &MainWindow::start_live_sim);
    file->addSeparator();
    connect(add_action(file, QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit), &QAction::triggered, this,
            &QWidget::close);

    QMenu * view = menuBar()->addMenu(tr("&View"));
    auto overlay_toggle = [this, view](const QString & name, const QString & text, Qt::Key key, bool OverlaySettings::*flag) {
        connect(add_action(view, name, text, QKeySequence(key)), &QAction::triggered, this, [this, flag] {
            if (!viewport_) return;
            viewport_->overlay().*flag = !(viewport_->overlay().*flag);
            viewport_->schedule_frame();
        });
    };
    overlay_toggle(QStringLiteral("toggle_hud"), tr("Toggle &HUD"), Qt::Key_H, &OverlaySettings::hud);
    overlay_toggle(QStringLiteral("mirror_back_row"), tr("&Mirror Back Cameras"), Qt::Key_B, &OverlaySettings::mirror_back_row);
    overlay_toggle(QStringLiteral("follow_ego"), tr("BEV &Follows Ego"), Qt::Key_F, &OverlaySettings::bev_follow_ego);
    overlay_toggle(QStringLiteral("map_layer"), tr("BEV Map &Layer"), Qt::Key_G, &OverlaySettings::bev_map);
    overlay_toggle(QStringLiteral("camera_boxes"), tr("Boxes in &Cameras"), Qt::Key_C, &OverlaySettings::camera_boxes);
    overlay_toggle(QStringLiteral("ground_truth"), tr("Show Ground &Truth"), Qt::Key_T, &OverlaySettings::ground_truth);
    overlay_toggle(QStringLiteral("predictions"), tr("Show &Predictions"), Qt::Key_P, &OverlaySettings::predictions);
    connect(add_action(view, QStringLiteral("ruler"), tr("BEV &Ruler"), QKeySequence(Qt::Key_M)), &QAction::triggered,
            this, [this] {
                if (!viewport_) return;
                viewport_->bev().set_measuring(!viewport_->bev().measuring());
                viewport_->schedule_frame();
            });
    view->addSeparator();
    view->addAction(findChild<QDockWidget *>(QStringLiteral("scenes_dock"))->toggleViewAction());
    view->addAction(timeline_->toggleViewAction());


    QMenu * perception = menuBar()->addMenu(tr("Pe&rception"));
    connect(add_action(perception, QStringLiteral("load_weights"), tr("Load BEVFormer &Weights..."),
                       QKeySequence(Qt::CTRL | Qt::Key_P)),
            &QAction::triggered, this, [this] {
                QString path = QFileDialog::getOpenFileName(this, tr("Open BEVFormer weights"), QDir::homePath(),
                                                            tr("Safetensors (*.safetensors)"));
                if (!path.isEmpty()) load_perceiver(path);
            });
    const QString shipped = QString::fromStdString(shipped_bevformer_weights());
    QAction * use_shipped = add_action(perception, QStringLiteral("shipped_model"), tr("Run the &Shipped Model"), {});
    use_shipped->setEnabled(!shipped.isEmpty());
    if (shipped.isEmpty()) use_shipped->setToolTip(tr("No assets/bevformer_embedded.safetensors is installed"));
    connect(use_shipped, &QAction::triggered, this, [this, shipped] { load_perceiver(shipped); });
    connect(add_action(perception, QStringLiteral("stop_perception"), tr("S&top Perception"), {}), &QAction::triggered,
            this, &MainWindow::stop_perceiver);

    QMenu * play = menuBar()->addMenu(tr("&Playback"));
    connect(add_action(play, QStringLiteral("play_pause"), tr("&Play / Pause"), QKeySequence(Qt::Key_Space)),
            &QAction::triggered, this, &MainWindow::on_play_pause);
    auto step = [this, play](const QString & name, const QString & text, const QKeySequence & key, int delta) {
        QAction * a = add_action(play, name, text, key);
        connect(a, &QAction::triggered, timeline_, [this, delta] { timeline_->step(delta); });
        playback_actions_ << a;
    };
    step(QStringLiteral("step_back"), tr("Step &Back"), QKeySequence(Qt::Key_Left), -1);
    step(QStringLiteral("step_forward"), tr("Step &Forward"), QKeySequence(Qt::Key_Right), 1);
    step(QStringLiteral("back_10"), tr("Back 10"), QKeySequence(Qt::SHIFT | Qt::Key_Left), -10);
    step(QStringLiteral("forward_10"), tr("Forward 10"), QKeySequence(Qt::SHIFT | Qt::Key_Right), 10);
    QAction * first = add_action(play, QStringLiteral("first"), tr("F&irst Sample"), QKeySequence(Qt::Key_Home));
    connect(first, &QAction::triggered, timeline_, &TimelineDock::go_first);
    QAction * last = add_action(play, QStringLiteral("last"), tr("&Last Sample"), QKeySequence(Qt::Key_End));
    connect(last, &QAction::triggered, timeline_, &TimelineDock::go_last);
    QAction * loop = add_action(play, QStringLiteral("loop"), tr("L&oop"), QKeySequence(Qt::Key_L));
    connect(loop, &QAction::triggered, timeline_, [this] { timeline_->set_loop(!timeline_->loop()); });
    playback_actions_ << first << last << loop;

    QMenu * sim = menuBar()->addMenu(tr("&Sim"));
    QAction * expert = add_action(sim, QStringLiteral("expert"), tr("Toggle &Expert Driver"), QKeySequence(Qt::Key_E));
    connect(expert, &QAction::triggered, this, [this] {
        if (!sim_) return;
        sim_->set_expert(!sim_->expert());
        statusBar()->showMessage(sim_->expert() ? tr("The expert drives") : tr("You drive: WASD or arrows"), 3000);
    });
    QAction * restart = add_action(sim, QStringLiteral("restart_sim"), tr("&Restart World"), QKeySequence(Qt::CTRL | Qt::Key_R));
    connect(restart, &QAction::triggered, this, [this] { if (sim_) sim_->restart(); });
    sim_actions_ << expert << restart;

    QMenu * help = menuBar()->addMenu(tr("&Help"));
    connect(add_action(help, QStringLiteral("shortcuts"), tr("&Keyboard Shortcuts"), QKeySequence(Qt::Key_F1)),
            &QAction::triggered, this, [this] {
                ShortcutsDialog dialog(findChildren<QAction *>(), this);
                dialog.exec();
            });
    connect(add_action(help, QStringLiteral("about"), tr("&About Roadsight"), {}), &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Roadsight"),
                           tr("<b>Roadsight %1</b><p>A desktop studio for driving world models.</p><p>Qt %2, %3</p>")
                               .arg(QStringLiteral(ROADSIGHT_VERSION), QString::fromLatin1(qVersion()),
                                    viewport_ ? viewport_->gpu_name() : tr("no Vulkan")));
    });
}

void MainWindow::set_mode(Mode mode) {
    mode_ = mode;
    bool ds = mode == Mode::dataset;
    for (QAction * a : playback_actions_) a->setEnabled(ds);
    for (QAction * a : sim_actions_) a->setEnabled(!ds);
    timeline_->setEnabled(ds);
    if (viewport_) {
        viewport_->set_drive_enabled(!ds);
        viewport_->set_source_name(ds && dataset_ ? QFileInfo(QString::fromStdString(dataset_->dataset().dataroot())).fileName()
                                                  : QStringLiteral("Live Sim"));
    }
    update_status();
}

void MainWindow::start_live_sim() {
    if (loader_) loader_->cancel();
    dataset_.reset();
    mailbox_.clear();
    scenes_->clear();
    auto * hint = new QListWidgetItem(tr("Live Sim is running.\n\nOpen a nuScenes folder\n(File > Open Dataset, Ctrl+O)\nto list its scenes here."), scenes_);
    hint->setFlags(Qt::NoItemFlags);
    timeline_->set_times({});
    SimOptions opt;
    opt.image_width = options_.camera_size.width();
    opt.image_height = options_.camera_size.height();
    sim_ = std::make_unique<SimSource>(opt, mailbox_);
    if (perceiver_) {
        perceiver_->reset();
        sim_->set_perceiver(perceiver_);
    }
    setWindowTitle(QStringLiteral("Roadsight — Live Sim"));
    set_mode(Mode::live_sim);
}

void MainWindow::open_dataset(const QString & dataroot, const QString & version) {
    delete loader_;
    delete progress_;
    loader_ = new DatasetLoader(QDir(dataroot).absolutePath(), version, this);
    progress_ = new QProgressDialog(tr("Reading %1...").arg(dataroot), tr("Cancel"), 0, 13, this);
    progress_->setWindowTitle(tr("Open Dataset"));
    progress_->setWindowModality(Qt::WindowModal);
    progress_->setMinimumDuration(300);
    progress_->setAutoClose(false);
    progress_->setAutoReset(false);
    connect(progress_, &QProgressDialog::canceled, loader_, &DatasetLoader::cancel);
    connect(loader_, &DatasetLoader::progress, progress_, [this](qint64 done, qint64 total, const QString & stage) {
        if (!progress_) return;
        progress_->setMaximum(int(std::max<qint64>(total, 1)));
        progress_->setValue(int(done));
        if (!stage.isEmpty()) progress_->setLabelText(tr("Reading %1...").arg(stage));
    });
    connect(loader_, &DatasetLoader::finished, this, &MainWindow::on_loader_finished);
    loader_->start();
}

void MainWindow::load_perceiver(const QString & weights_path) {
    delete perceiver_loader_;
    delete perceiver_progress_;
    perceiver_loader_ = new PerceiverLoader(weights_path, this);
    perceiver_progress_ = new QProgressDialog(tr("Loading %1...").arg(QFileInfo(weights_path).fileName()), tr("Cancel"), 0, 0, this);
    perceiver_progress_->setWindowTitle(tr("Perception"));
    perceiver_progress_->setWindowModality(Qt::WindowModal);
    perceiver_progress_->setMinimumDuration(300);
    connect(perceiver_progress_, &QProgressDialog::canceled, perceiver_loader_, &PerceiverLoader::cancel);
    connect(perceiver_loader_, &PerceiverLoader::finished, this, &MainWindow::on_perceiver_loaded);
    perceiver_loader_->start();
}

void MainWindow::on_perceiver_loaded() {
    PerceiverLoader * loader = perceiver_loader_;
    if (!loader) return;
    perceiver_loader_ = nullptr;
    loader->deleteLater();
    if (perceiver_progress_) perceiver_progress_->deleteLater();
    std::shared_ptr<Perceiver> p = loader->take_perceiver();
    if (!p) {
        QString msg = loader->cancelled() ? tr("Loading %1 was cancelled.").arg(loader->weights_path()) : loader->error();
        if (!loader->cancelled()) show_error(tr("Could not load the perception model"), msg);
        statusBar()->showMessage(msg, 8000);
        Q_EMIT perceiver_loaded(false, msg);
        return;
    }
    perceiver_ = std::move(p);
    if (dataset_) dataset_->set_perceiver(perceiver_);
    if (sim_) sim_->set_perceiver(perceiver_);
    QString msg = tr("Perception: %1").arg(QString::fromStdString(perceiver_->description()));
    statusBar()->showMessage(msg, 8000);
    Q_EMIT perceiver_loaded(true, msg);
}

void MainWindow::stop_perceiver() {
    perceiver_.reset();
    if (dataset_) dataset_->set_perceiver(nullptr);
    if (sim_) sim_->set_perceiver(nullptr);
    statusBar()->showMessage(tr("Perception stopped"), 3000);
}

void MainWindow::on_loader_finished() {
    DatasetLoader * loader = loader_;
    if (!loader) return;
    loader_ = nullptr;
    loader->deleteLater();
    if (progress_) progress_->deleteLater();
    std::shared_ptr<NuScenesDataset> ds = loader->take_dataset();
    if (!ds) {
        QString msg = loader->cancelled() ? tr("Opening %1 was cancelled.").arg(loader->dataroot()) : loader->error();
        if (!loader->cancelled()) show_error(tr("Could not open dataset"), msg);
        statusBar()->showMessage(msg, 8000);
        Q_EMIT dataset_opened(false, msg);
        return;
    }
    sim_.reset();
    dataset_.reset();
    mailbox_.clear();
    dataset_ = std::make_unique<DatasetSource>(ds, mailbox_);
    if (perceiver_) {
        perceiver_->reset();
        dataset_->set_perceiver(perceiver_);
    }
    add_recent(loader->dataroot());
    setWindowTitle(QStringLiteral("Roadsight — %1 (%2)").arg(QDir::toNativeSeparators(loader->dataroot()), loader->version()));
    scenes_->blockSignals(true);
    scenes_->clear();
    for (const NuScene & s : ds->tables().scene) {
        auto * item = new QListWidgetItem(QStringLiteral("%1  ·  %2 samples").arg(QString::fromStdString(s.name)).arg(s.nbr_samples), scenes_);
        item->setToolTip(QString::fromStdString(s.description));
    }
    scenes_->blockSignals(false);
    set_mode(Mode::dataset);
    if (!ds->tables().scene.empty()) scenes_->setCurrentRow(0);
    statusBar()->showMessage(tr("Opened %1: %2 scenes, %3 samples, %4 boxes")
                                 .arg(loader->dataroot())
                                 .arg(ds->tables().scene.size())
                                 .arg(ds->tables().sample.size())
                                 .arg(ds->tables().sample_annotation.size()),
                             8000);
    if (view_widget_) view_widget_->setFocus();
    Q_EMIT dataset_opened(true, QString());
}

void MainWindow::on_scene_selected(int row) {
    if (!dataset_ || row < 0) return;
    dataset_->set_scene(size_t(row));
    timeline_->set_times(dataset_->scene().times);
}

void MainWindow::on_frame_posted() {
    if (viewport_) viewport_->schedule_frame();
    Q_EMIT frame_arrived();
}

void MainWindow::on_drive_keys() {
    if (!sim_ || !viewport_) return;
    DriveKeys k = viewport_->drive_keys();
    PedalInput p;
    p.throttle = k.forward ? 1.0 : 0.0;
    p.brake = k.back ? 1.0 : 0.0;
    p.steer = (k.left ? 1.0 : 0.0) - (k.right ? 1.0 : 0.0);
    bool any = k.forward || k.back || k.left || k.right;
    // Touching the pedals takes the car from the expert; E hands it back.
    if (any && sim_->expert()) {
        sim_->set_expert(false);
        statusBar()->showMessage(tr("You drive: E hands the car back to the expert"), 4000);
    }
    sim_->set_pedals(p);
}

void MainWindow::on_play_pause() {
    if (mode_ == Mode::dataset) {
        timeline_->toggle_playing();
    } else if (sim_) {
        sim_->set_paused(!sim_->paused());
        statusBar()->showMessage(sim_->paused() ? tr("Simulation paused") : tr("Simulation running"), 2000);
    }
}

void MainWindow::update_status() {
    mode_label_->setText(mode_ == Mode::dataset ? tr("Dataset") : (sim_ && sim_->paused() ? tr("Live Sim (paused)") : tr("Live Sim")));
    QString gpu = viewport_ ? viewport_->gpu_name() : tr("no Vulkan");
    if (sim_ && !sim_->renderer_error().empty()) gpu += tr("  ·  cameras off: %1").arg(QString::fromStdString(sim_->renderer_error()));
    gpu_label_->setText(gpu.isEmpty() ? tr("starting Vulkan...") : gpu);
    fps_label_->setText(viewport_ ? tr("%1 fps").arg(viewport_->ui_fps(), 0, 'f', 1) : QString());
}

void MainWindow::show_error(const QString & title, const QString & text) {
    if (options_.interactive) QMessageBox::warning(this, title, text);
}

void MainWindow::add_recent(const QString & dataroot) {
    recent_.removeAll(dataroot);
    recent_.prepend(dataroot);
    while (recent_.size() > kMaxRecent) recent_.removeLast();
    rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
    recent_menu_->clear();
    for (const QString & path : recent_)
        connect(recent_menu_->addAction(path), &QAction::triggered, this, [this, path] { open_dataset(path); });
    recent_menu_->setEnabled(!recent_.isEmpty());
}

void MainWindow::save_settings() const {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("recent"), recent_);
    s.setValue(QStringLiteral("timeline/loop"), timeline_->loop());
    s.setValue(QStringLiteral("timeline/speed"), timeline_->speed_index());
    if (!viewport_) return;
    const OverlaySettings & o = viewport_->overlay();
    int classes = 0;
    for (int i = 0; i < kNumObjectClasses; ++i) classes |= o.class_visible[size_t(i)] ? 1 << i : 0;
    s.setValue(QStringLiteral("overlay/classes"), classes);
    s.setValue(QStringLiteral("overlay/score_threshold"), o.score_threshold);
    s.setValue(QStringLiteral("overlay/camera_boxes"), o.camera_boxes);
    s.setValue(QStringLiteral("overlay/track_ids"), o.track_ids);
    s.setValue(QStringLiteral("overlay/ground_truth"), o.ground_truth);
    s.setValue(QStringLiteral("overlay/predictions"), o.predictions);
    s.setValue(QStringLiteral("overlay/mirror_back_row"), o.mirror_back_row);
    s.setValue(QStringLiteral("overlay/bev_map"), o.bev_map);
    s.setValue(QStringLiteral("overlay/bev_follow_ego"), o.bev_follow_ego);
    s.setValue(QStringLiteral("overlay/bev_trajectory"), o.bev_trajectory);
    s.setValue(QStringLiteral("overlay/hud"), o.hud);
    s.setValue(QStringLiteral("overlay/bev_range"), o.bev_range);
}

void MainWindow::restore_settings() {
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    recent_ = s.value(QStringLiteral("recent")).toStringList();
    rebuild_recent_menu();
    timeline_->set_loop(s.value(QStringLiteral("timeline/loop"), false).toBool());
    timeline_->set_speed_index(s.value(QStringLiteral("timeline/speed"), 2).toInt());
    if (!viewport_) return;
    OverlaySettings & o = viewport_->overlay();
    int classes = s.value(QStringLiteral("overlay/classes"), (1 << kNumObjectClasses) - 1).toInt();
    for (int i = 0; i < kNumObjectClasses; ++i) o.class_visible[size_t(i)] = classes & (1 << i);
    o.score_threshold = s.value(QStringLiteral("overlay/score_threshold"), o.score_threshold).toFloat();
    o.camera_boxes = s.value(QStringLiteral("overlay/camera_boxes"), o.camera_boxes).toBool();
    o.track_ids = s.value(QStringLiteral("overlay/track_ids"), o.track_ids).toBool();
    o.ground_truth = s.value(QStringLiteral("overlay/ground_truth"), o.ground_truth).toBool();
    o.predictions = s.value(QStringLiteral("overlay/predictions"), o.predictions).toBool();
    o.mirror_back_row = s.value(QStringLiteral("overlay/mirror_back_row"), o.mirror_back_row).toBool();
    o.bev_map = s.value(QStringLiteral("overlay/bev_map"), o.bev_map).toBool();
    o.bev_follow_ego = s.value(QStringLiteral("overlay/bev_follow_ego"), o.bev_follow_ego).toBool();
    o.bev_trajectory = s.value(QStringLiteral("overlay/bev_trajectory"), o.bev_trajectory).toBool();
    o.hud = s.value(QStringLiteral("overlay/hud"), o.hud).toBool();
    o.bev_range = s.value(QStringLiteral("overlay/bev_range"), o.bev_range).toFloat();
}

void MainWindow::closeEvent(QCloseEvent * e) {
    save_settings();
    e->accept();
}

}  // namespace rs
