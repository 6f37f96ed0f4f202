// Dear ImGui 1.86 platform shim for a Qt window: Qt input events into ImGuiIO (KeysDown/KeyMap,
// MousePos, MouseDown, MouseWheel, AddInputCharacter; 1.86 predates AddKeyEvent), display size,
// delta time, clipboard and cursor shape. Works on the current ImGui context.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <Qt>

class QKeyEvent;
class QMouseEvent;
class QWheelEvent;

namespace rs {

class ImguiQtInput {
public:
    // Key map, clipboard hooks, backend flags; call once after ImGui::CreateContext().
    void install();

    void mouse_move(const QMouseEvent & e);
    void mouse_button(const QMouseEvent & e, bool down);
    void wheel(const QWheelEvent & e);
    void key(const QKeyEvent & e, bool down);
    void focus_lost();  // releases everything, so no key stays stuck

    // Before ImGui::NewFrame(): size in logical pixels and the device pixel ratio.
    void new_frame(float width, float height, float device_pixel_ratio);
    // The cursor ImGui asks for, to pass to QWindow::setCursor.
    Qt::CursorShape cursor_shape() const;

    bool wants_mouse() const;
    bool wants_keyboard() const;

private:
    QElapsedTimer clock_;
    QByteArray clipboard_;  // keeps the text returned to ImGui alive
};

}  // namespace rs
