#include "app/shell/imgui_qt_input.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>

#include <imgui.h>

namespace rs {

namespace {

// KeysDown indices: printable keys keep their Qt code (ASCII, < 256); named keys sit above it.
constexpr int kNamedBase = 256;

struct NamedKey {
    int qt;
    ImGuiKey imgui;
};

constexpr NamedKey kNamedKeys[] = {
    {Qt::Key_Tab, ImGuiKey_Tab},           {Qt::Key_Left, ImGuiKey_LeftArrow},
    {Qt::Key_Right, ImGuiKey_RightArrow},  {Qt::Key_Up, ImGuiKey_UpArrow},
    {Qt::Key_Down, ImGuiKey_DownArrow},    {Qt::Key_PageUp, ImGuiKey_PageUp},
    {Qt::Key_PageDown, ImGuiKey_PageDown}, {Qt::Key_Home, ImGuiKey_Home},
    {Qt::Key_End, ImGuiKey_End},           {Qt::Key_Insert, ImGuiKey_Insert},
    {Qt::Key_Delete, ImGuiKey_Delete},     {Qt::Key_Backspace, ImGuiKey_Backspace},
    {Qt::Key_Space, ImGuiKey_Space},       {Qt::Key_Return, ImGuiKey_Enter},
    {Qt::Key_Escape, ImGuiKey_Escape},     {Qt::Key_Enter, ImGuiKey_KeyPadEnter},
};
constexpr int kLetterKeys[] = {Qt::Key_A, Qt::Key_C, Qt::Key_V, Qt::Key_X, Qt::Key_Y, Qt::Key_Z};
constexpr ImGuiKey kLetterImgui[] = {ImGuiKey_A, ImGuiKey_C, ImGuiKey_V, ImGuiKey_X, ImGuiKey_Y, ImGuiKey_Z};

int key_index(int qt_key) {
    if (qt_key >= 0 && qt_key < kNamedBase) return qt_key;
    int i = 0;
    for (const NamedKey & k : kNamedKeys) {
        if (k.qt == qt_key) return kNamedBase + i;
        ++i;
    }
    return -1;
}

int button_index(Qt::MouseButton b) {
    switch (b) {
    case Qt::LeftButton: return 0;
    case Qt::RightButton: return 1;
    case Qt::MiddleButton: return 2;
    default: return -1;
    }
}

const char * get_clipboard(void * user) {
    auto * store = static_cast<QByteArray *>(user);
    *store = QGuiApplication::clipboard()->text().toUtf8();
    return store->constData();
}

void set_clipboard(void *, const char * text) { QGuiApplication::clipboard()->setText(QString::fromUtf8(text)); }

void set_modifiers(ImGuiIO & io, Qt::KeyboardModifiers m) {
    io.KeyCtrl = m & Qt::ControlModifier;
    io.KeyShift = m & Qt::ShiftModifier;
    io.KeyAlt = m & Qt::AltModifier;
    io.KeySuper = m & Qt::MetaModifier;
}

}  // namespace

void ImguiQtInput::install() {
    ImGuiIO & io = ImGui::GetIO();
    io.BackendPlatformName = "roadsight_qt";
    io.BackendFlags |= ImGuiBackendFlags_HasMouseCursors;
    int i = 0;
    for (const NamedKey & k : kNamedKeys) io.KeyMap[k.imgui] = kNamedBase + i++;
    for (size_t j = 0; j < sizeof kLetterKeys / sizeof kLetterKeys[0]; ++j) io.KeyMap[kLetterImgui[j]] = kLetterKeys[j];
    io.ClipboardUserData = &clipboard_;
    io.GetClipboardTextFn = get_clipboard;
    io.SetClipboardTextFn = set_clipboard;
    clock_.start();
}

void ImguiQtInput::mouse_move(const QMouseEvent & e) {
    ImGuiIO & io = ImGui::GetIO();
    io.MousePos = ImVec2(float(e.position().x()), float(e.position().y()));
}

void ImguiQtInput::mouse_button(const QMouseEvent & e, bool down) {
    ImGuiIO & io = ImGui::GetIO();
    io.MousePos = ImVec2(float(e.position().x()), float(e.position().y()));
    int b = button_index(e.button());
    if (b >= 0) io.MouseDown[b] = down;
}

void ImguiQtInput::wheel(const QWheelEvent & e) {
    ImGuiIO & io = ImGui::GetIO();
    io.MouseWheel += float(e.angleDelta().y()) / 120.0f;
    io.MouseWheelH += float(e.angleDelta().x()) / 120.0f;
}

void ImguiQtInput::key(const QKeyEvent & e, bool down) {
    ImGuiIO & io = ImGui::GetIO();
    set_modifiers(io, e.modifiers());
    int index = key_index(e.key());
    if (index >= 0 && index < int(sizeof io.KeysDown / sizeof io.KeysDown[0])) io.KeysDown[index] = down;
    if (down && !(e.modifiers() & Qt::ControlModifier)) {
        for (QChar c : e.text())
            if (c.isPrint()) io.AddInputCharacterUTF16(c.unicode());
    }
}

void ImguiQtInput::focus_lost() {
    ImGuiIO & io = ImGui::GetIO();
    for (bool & k : io.KeysDown) k = false;
    for (bool & b : io.MouseDown) b = false;
    io.KeyCtrl = io.KeyShift = io.KeyAlt = io.KeySuper = false;
}

void ImguiQtInput::new_frame(float width, float height, float device_pixel_ratio) {
    ImGuiIO & io = ImGui::GetIO();
    io.DisplaySize = ImVec2(width, height);
    io.DisplayFramebufferScale = ImVec2(device_pixel_ratio, device_pixel_ratio);
    qint64 ns = clock_.nsecsElapsed();
    clock_.restart();
    // ImGui asserts on a zero step; two frames in the same tick still need one.
    io.DeltaTime = std::max(float(double(ns) * 1e-9), 1e-4f);
}

Qt::CursorShape ImguiQtInput::cursor_shape() const {
    switch (ImGui::GetMouseCursor()) {
    case ImGuiMouseCursor_TextInput: return Qt::IBeamCursor;
    case ImGuiMouseCursor_ResizeAll: return Qt::SizeAllCursor;
    case ImGuiMouseCursor_ResizeNS: return Qt::SizeVerCursor;
    case ImGuiMouseCursor_ResizeEW: return Qt::SizeHorCursor;
    case ImGuiMouseCursor_ResizeNESW: return Qt::SizeBDiagCursor;
    case ImGuiMouseCursor_ResizeNWSE: return Qt::SizeFDiagCursor;
    case ImGuiMouseCursor_Hand: return Qt::PointingHandCursor;
    case ImGuiMouseCursor_NotAllowed: return Qt::ForbiddenCursor;
    default: return Qt::ArrowCursor;
    }
}

bool ImguiQtInput::wants_mouse() const { return ImGui::GetIO().WantCaptureMouse; }
bool ImguiQtInput::wants_keyboard() const { return ImGui::GetIO().WantCaptureKeyboard; }

}  // namespace rs
