#include "app/shell/viewport_window.h"

#include <QFile>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <imgui.h>

#include "app/shell/viewport_renderer.h"

namespace rs {

namespace {

constexpr int kSettleFrames = 2;
constexpr int kBenchWarmup = 3;

void apply_style() {
    ImGui::StyleColorsDark();
    ImGuiStyle & s = ImGui::GetStyle();
    s.WindowRounding = 4.0f;
    s.FrameRounding = 3.0f;
    s.GrabRounding = 3.0f;
    s.WindowBorderSize = 1.0f;
    s.WindowPadding = ImVec2(10, 8);
    s.ItemSpacing = ImVec2(8, 5);
    ImVec4 * c = s.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.10f, 0.12f, 0.96f);
    c[ImGuiCol_PopupBg] = ImVec4(0.07f, 0.08f, 0.10f, 0.97f);
    c[ImGuiCol_Border] = ImVec4(1.0f, 1.0f, 1.0f, 0.08f);
    c[ImGuiCol_TitleBg] = ImVec4(0.12f, 0.13f, 0.16f, 1.0f);
    c[ImGuiCol_TitleBgActive] = ImVec4(0.12f, 0.13f, 0.16f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(1.0f, 1.0f, 1.0f, 0.06f);
    c[ImGuiCol_FrameBgHovered] = ImVec4(1.0f, 1.0f, 1.0f, 0.10f);
    c[ImGuiCol_CheckMark] = ImVec4(0.45f, 0.72f, 1.0f, 1.0f);
    c[ImGuiCol_SliderGrab] = ImVec4(0.45f, 0.72f, 1.0f, 1.0f);
    c[ImGuiCol_Separator] = ImVec4(1.0f, 1.0f, 1.0f, 0.10f);
}

void load_font() {
    // DejaVu Sans (Debian's fonts-dejavu-core) reads better than ImGui's built-in bitmap font.
    const char * path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    ImGuiIO & io = ImGui::GetIO();
    if (QFile::exists(QString::fromLatin1(path))) io.Fonts->AddFontFromFileTTF(path, 14.0f);
    else io.Fonts->AddFontDefault();
}

}  // namespace

ViewportWindow::ViewportWindow(const FrameMailbox & mailbox) : mailbox_(mailbox) {
    // UNORM, not sRGB: camera pixels and ImGui colours are already display-encoded.
    setPreferredColorFormats({VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM});
    imgui_ = ImGui::CreateContext();
    ImGui::SetCurrentContext(imgui_);
    ImGui::GetIO().IniFilename = nullptr;  // panel placement is computed, not remembered
    apply_style();
    load_font();
    input_.install();
    clock_.start();
    hud_timer_.setInterval(500);
    connect(&hud_timer_, &QTimer::timeout, this, [this] { if (isExposed()) schedule_frame(); });
    hud_timer_.start();
}

ViewportWindow::~ViewportWindow() {
    // The renderer's teardown still needs the ImGui context: release the surface first.
    destroy();
    ImGui::DestroyContext(imgui_);
}

QVulkanWindowRenderer * ViewportWindow::createRenderer() { return new ViewportRenderer(this); }

void ViewportWindow::set_source_name(const QString & name) {
    stats_.source = name.toStdString();
    schedule_frame();
}

void ViewportWindow::set_drive_enabled(bool on) {
    drive_enabled_ = on;
    if (!on && (keys_.forward || keys_.back || keys_.left || keys_.right)) {
        keys_ = DriveKeys{};
        Q_EMIT drive_keys_changed();
    }
}

void ViewportWindow::schedule_frame() {
    if (update_pending_) return;
    update_pending_ = true;
    requestUpdate();
}

QImage ViewportWindow::grab_view() {
    QImage img = grab();
    VkFormat f = colorFormat();
    bool bgra = f == VK_FORMAT_B8G8R8A8_UNORM || f == VK_FORMAT_B8G8R8A8_SRGB;
    return bgra ? img.rgbSwapped() : img;
}

void ViewportWindow::start_bench(int frames) {
    bench_total_ = frames;
    bench_left_ = frames + kBenchWarmup;
    bench_cpu_ms_ = 0;
    schedule_frame();
}

void ViewportWindow::frame_done(double cpu_ms, uint64_t sequence) {
    update_pending_ = false;
    ++frames_rendered_;
    qint64 now = clock_.nsecsElapsed();
    frame_times_ns_.push_back(now);
    while (frame_times_ns_.size() > 2 && now - frame_times_ns_.front() > 1000000000LL) frame_times_ns_.pop_front();
    if (frame_times_ns_.size() > 1)
        stats_.ui_fps = double(frame_times_ns_.size() - 1) * 1e9 / double(now - frame_times_ns_.front());
    stats_.ui_frame_ms = stats_.ui_frame_ms == 0 ? cpu_ms : 0.9 * stats_.ui_frame_ms + 0.1 * cpu_ms;
    if (sequence != last_sequence_) {
        last_sequence_ = sequence;
        source_times_ns_.push_back(now);
    }
    while (!source_times_ns_.empty() && now - source_times_ns_.front() > 2000000000LL) source_times_ns_.pop_front();
    stats_.source_fps = source_times_ns_.size() > 1
                            ? double(source_times_ns_.size() - 1) * 1e9 / double(now - source_times_ns_.front())
                            : 0.0;
    shown_sequence_ = sequence;

    if (bench_left_ > 0) {
        --bench_left_;
        if (bench_left_ == bench_total_) bench_start_ns_ = now;  // warm-up over
        if (bench_left_ < bench_total_) bench_cpu_ms_ += cpu_ms;
        if (bench_left_ == 0)
            Q_EMIT bench_finished(double(now - bench_start_ns_) * 1e-6 / bench_total_, bench_cpu_ms_ / bench_total_,
                                  bench_total_);
        else
            schedule_frame();
    } else if (settle_frames_ > 0) {
        --settle_frames_;
        schedule_frame();
    }
    Q_EMIT frame_rendered();
}

void ViewportWindow::mouseMoveEvent(QMouseEvent * e) {
    input_.mouse_move(*e);
    settle_frames_ = kSettleFrames;
    schedule_frame();
}

void ViewportWindow::mousePressEvent(QMouseEvent * e) {
    requestActivate();
    input_.mouse_button(*e, true);
    settle_frames_ = kSettleFrames;
    schedule_frame();
}

void ViewportWindow::mouseReleaseEvent(QMouseEvent * e) {
    input_.mouse_button(*e, false);
    settle_frames_ = kSettleFrames;
    schedule_frame();
}

void ViewportWindow::wheelEvent(QWheelEvent * e) {
    input_.wheel(*e);
    settle_frames_ = kSettleFrames;
    schedule_frame();
}

bool ViewportWindow::drive_key(QKeyEvent * e, bool down) {
    if (!drive_enabled_ || e->modifiers() & (Qt::ControlModifier | Qt::AltModifier)) return false;
    bool * key = nullptr;
    switch (e->key()) {
    case Qt::Key_W: case Qt::Key_Up: key = &keys_.forward; break;
    case Qt::Key_S: case Qt::Key_Down: key = &keys_.back; break;
    case Qt::Key_A: case Qt::Key_Left: key = &keys_.left; break;
    case Qt::Key_D: case Qt::Key_Right: key = &keys_.right; break;
    default: return false;
    }
    if (e->isAutoRepeat()) return true;
    if (*key != down) {
        *key = down;
        Q_EMIT drive_keys_changed();
    }
    return true;
}

void ViewportWindow::keyPressEvent(QKeyEvent * e) {
    input_.key(*e, true);
    schedule_frame();
    if (!input_.wants_keyboard() && drive_key(e, true)) return;
    QVulkanWindow::keyPressEvent(e);
}

void ViewportWindow::keyReleaseEvent(QKeyEvent * e) {
    input_.key(*e, false);
    schedule_frame();
    // Releases always count, so a key pressed before ImGui took the keyboard never sticks.
    if (drive_key(e, false)) return;
    QVulkanWindow::keyReleaseEvent(e);
}

void ViewportWindow::focusOutEvent(QFocusEvent * e) {
    input_.focus_lost();
    if (keys_.forward || keys_.back || keys_.left || keys_.right) {
        keys_ = DriveKeys{};
        Q_EMIT drive_keys_changed();
    }
    QVulkanWindow::focusOutEvent(e);
}

}  // namespace rs
