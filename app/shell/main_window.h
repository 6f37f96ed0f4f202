// Roadsight's main window: the Vulkan view in the centre (or a message when Vulkan is missing),
// scene list and timeline docks, menus with every shortcut, status bar, QSettings persistence.
// Sources: Live Sim (default) or a nuScenes dataset opened from disk; one is active at a time.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QSize>
#include <QTimer>

#include <memory>

#include "app/shell/frame_mailbox.h"

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QProgressDialog;
class QVulkanInstance;

namespace rs {

class DatasetLoader;
class DatasetSource;
class Perceiver;
class PerceiverLoader;
class SimSource;
class TimelineDock;
class ViewportWindow;

struct MainWindowOptions {
    QSize camera_size{512, 288};  // Live Sim images per camera
    bool interactive = true;      // message boxes for errors; off in tests and batch runs
    bool live_sim = true;         // start the Live Sim at once
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class Mode { live_sim, dataset };

    explicit MainWindow(const MainWindowOptions & options = {}, QWidget * parent = nullptr);
    ~MainWindow() override;

    // Loads on a worker thread with a progress dialog; emits dataset_opened when done.
    void open_dataset(const QString & dataroot, const QString & version = {});
    void start_live_sim();
    // Opens BEVFormer weights on a worker thread (progress dialog with cancel); from then on dataset
    // frames and the Live Sim show the model's boxes beside the ground truth. Emits perceiver_loaded.
    void load_perceiver(const QString & weights_path);
    void stop_perceiver();
    bool has_perceiver() const { return perceiver_ != nullptr; }

    Mode mode() const { return mode_; }
    ViewportWindow * viewport() const { return viewport_; }  // null without Vulkan
    QWidget * view_widget() const { return view_widget_; }
    bool vulkan_available() const { return viewport_ != nullptr; }
    QString vulkan_message() const { return vulkan_message_; }
    ViewFramePtr latest_frame() const { return mailbox_.latest(); }
    uint64_t frame_sequence() const { return mailbox_.sequence(); }
    TimelineDock * timeline() const { return timeline_; }
    QListWidget * scene_list() const { return scenes_; }
    SimSource * sim() const { return sim_.get(); }
    QStringList recent_datasets() const { return recent_; }
    QAction * action(const QString & name) const;  // by objectName, for tests and scripts

    void save_settings() const;

Q_SIGNALS:
    void dataset_opened(bool ok, const QString & message);
    void perceiver_loaded(bool ok, const QString & message);
    void frame_arrived();

protected:
    void closeEvent(QCloseEvent * e) override;

private:
    void create_view();
    void create_docks();
    void create_actions();
    void restore_settings();
    void set_mode(Mode mode);
    void add_recent(const QString & dataroot);
    void rebuild_recent_menu();
    void on_loader_finished();
    void on_perceiver_loaded();
    void on_frame_posted();
    void on_scene_selected(int row);
    void on_drive_keys();
    void on_play_pause();
    void update_status();
    void show_error(const QString & title, const QString & text);
    QAction * add_action(QMenu * menu, const QString & name, const QString & text, const QKeySequence & key);

    MainWindowOptions options_;
    FrameMailbox mailbox_;
    std::unique_ptr<QVulkanInstance> vulkan_;  // outlives viewport_ (see ~MainWindow)
    ViewportWindow * viewport_ = nullptr;
    QWidget * view_widget_ = nullptr;
    QString vulkan_message_;
    std::unique_ptr<SimSource> sim_;
    std::unique_ptr<DatasetSource> dataset_;
    QPointer<DatasetLoader> loader_;
    QPointer<QProgressDialog> progress_;
    QPointer<PerceiverLoader> perceiver_loader_;
    QPointer<QProgressDialog> perceiver_progress_;
    std::shared_ptr<Perceiver> perceiver_;  // shared with the dataset source's worker
    Mode mode_ = Mode::live_sim;
    TimelineDock * timeline_ = nullptr;
    QListWidget * scenes_ = nullptr;
    QMenu * recent_menu_ = nullptr;
    QStringList recent_;
    QLabel * mode_label_ = nullptr;
    QLabel * gpu_label_ = nullptr;
    QLabel * fps_label_ = nullptr;
    QTimer status_timer_;
    QList<QAction *> playback_actions_;
    QList<QAction *> sim_actions_;
};

}  // namespace rs
