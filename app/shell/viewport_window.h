// The Vulkan view in the main window: a QVulkanWindow that shows the newest ViewFrame of a
// FrameMailbox (camera grid, BEV, HUD) and turns Qt input into ImGui input and driving keys.
// Frames are drawn on demand (new frame, input, HUD refresh), continuously only while benchmarking.
#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QVulkanWindow>

#include <deque>

#include "app/shell/bev_panel.h"
#include "app/shell/frame_mailbox.h"
#include "app/shell/hud.h"
#include "app/shell/imgui_qt_input.h"
#include "app/shell/overlay_settings.h"

struct ImGuiContext;

namespace rs {

class ViewportRenderer;

// Keys held for keyboard driving (pedals mode).
struct DriveKeys {
    bool forward = false, back = false, left = false, right = false;
};

class ViewportWindow : public QVulkanWindow {
    Q_OBJECT
public:
    explicit ViewportWindow(const FrameMailbox & mailbox);
    ~ViewportWindow() override;

    QVulkanWindowRenderer * createRenderer() override;

    OverlaySettings & overlay() { return overlay_; }
    BevPanel & bev() { return bev_; }
    void set_source_name(const QString & name);
    // Live Sim: WASD / arrows drive; otherwise those keys are left to the window's shortcuts.
    void set_drive_enabled(bool on);
    DriveKeys drive_keys() const { return keys_; }

    // QVulkanWindow::grab() with the channels in the right order: Qt 6.4 labels a BGRA swapchain's
    // pixels as RGBA.
    QImage grab_view();

    // Draws a frame soon; calls coalesce. Safe to call often.
    void schedule_frame();
    // Renders `frames` frames back to back, re-uploading all six cameras each time, then emits
    // bench_finished with the mean interval between frames.
    void start_bench(int frames);

    int frames_rendered() const { return frames_rendered_; }
    uint64_t shown_sequence() const { return shown_sequence_; }
    QString gpu_name() const { return gpu_name_; }
    double ui_fps() const { return stats_.ui_fps; }

Q_SIGNALS:
    void frame_rendered();
    void drive_keys_changed();
    void bench_finished(double mean_frame_ms, double mean_cpu_ms, int frames);
    void gpu_ready(const QString & name);

protected:
    void mouseMoveEvent(QMouseEvent * e) override;
    void mousePressEvent(QMouseEvent * e) override;
    void mouseReleaseEvent(QMouseEvent * e) override;
    void wheelEvent(QWheelEvent * e) override;
    void keyPressEvent(QKeyEvent * e) override;
    void keyReleaseEvent(QKeyEvent * e) override;
    void focusOutEvent(QFocusEvent * e) override;

private:
    friend class ViewportRenderer;

    bool drive_key(QKeyEvent * e, bool down);
    // Called by the renderer after each recorded frame.
    void frame_done(double cpu_ms, uint64_t sequence);

    const FrameMailbox & mailbox_;
    ImGuiContext * imgui_ = nullptr;
    ImguiQtInput input_;
    OverlaySettings overlay_;
    BevPanel bev_;
    HudStats stats_;
    QString gpu_name_;
    DriveKeys keys_;
    bool drive_enabled_ = false;
    bool update_pending_ = false;
    int settle_frames_ = 0;  // extra frames after input, so ImGui hover/click states catch up
    int frames_rendered_ = 0;
    uint64_t shown_sequence_ = 0;
    uint64_t last_sequence_ = 0;
    std::deque<qint64> frame_times_ns_;   // for the view's fps
    std::deque<qint64> source_times_ns_;  // when new source frames were first shown
    QElapsedTimer clock_;
    QTimer hud_timer_;
    int bench_left_ = 0, bench_total_ = 0;
    qint64 bench_start_ns_ = 0;
    double bench_cpu_ms_ = 0;
};

}  // namespace rs
