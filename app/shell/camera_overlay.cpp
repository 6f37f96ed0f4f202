#include "app/shell/camera_overlay.h"

#include <cstdio>
#include <string>

#include <imgui.h>

#include "app/shell/box_projection.h"
#include "app/shell/class_palette.h"
#include "app/shell/dashed_line.h"

namespace rs {

namespace {

constexpr ImU32 kCellBackground = IM_COL32(24, 27, 31, 255);
constexpr ImU32 kLabelBackground = IM_COL32(0, 0, 0, 150);
constexpr ImU32 kMutedText = IM_COL32(140, 146, 155, 255);
constexpr double kLabelDepth = 45.0;  // metres; farther track ids only clutter the horizon

// Camera pixel -> screen position inside `cell`, mirrored horizontally when asked.
ImVec2 to_cell(const Vec2 & px, const CameraView & view, const Rect & cell, bool mirror) {
    double u = mirror ? view.width - px.x : px.x;
    return ImVec2(cell.x + float(u * cell.w / view.width), cell.y + float(px.y * cell.h / view.height));
}

void draw_label(ImDrawList & dl, ImVec2 at, const char * text, ImU32 colour) {
    ImVec2 size = ImGui::CalcTextSize(text);
    dl.AddRectFilled(ImVec2(at.x - 3, at.y - 1), ImVec2(at.x + size.x + 3, at.y + size.y + 1), kLabelBackground, 2.0f);
    dl.AddText(at, colour, text);
}

const char * short_channel(const char * channel) {
    std::string c = channel;
    return c.rfind("CAM_", 0) == 0 ? channel + 4 : channel;
}

}  // namespace

std::array<int, 6> grid_cameras(const ViewFrame & frame) {
    std::array<int, 6> out;
    out.fill(-1);
    for (int slot = 0; slot < 6; ++slot)
        for (size_t i = 0; i < frame.channels.size(); ++i)
            if (frame.channels[i] == kGridChannels[slot]) out[slot] = int(i);
    return out;
}

void draw_camera_overlays(ImDrawList & dl, const ViewFrame * frame, const ViewLayout & layout,
                          const OverlaySettings & settings, const std::array<bool, 6> & has_image) {
    std::array<int, 6> cams;
    cams.fill(-1);
    if (frame) cams = grid_cameras(*frame);
    for (int slot = 0; slot < 6; ++slot) {
        const Rect & cell = layout.cells[slot];
        if (cell.w < 8 || cell.h < 8) continue;
        ImVec2 lo(cell.x, cell.y), hi(cell.x + cell.w, cell.y + cell.h);
        bool mirror = slot >= 3 && settings.mirror_back_row;
        if (!has_image[slot]) {
            dl.AddRectFilled(lo, hi, kCellBackground);
            const char * msg = frame ? "no image" : "waiting for frames";
            ImVec2 size = ImGui::CalcTextSize(msg);
            dl.AddText(ImVec2(cell.x + (cell.w - size.x) / 2, cell.y + (cell.h - size.y) / 2), kMutedText, msg);
        }
        dl.PushClipRect(lo, hi, true);
        int cam = cams[slot];
        if (frame && cam >= 0 && settings.camera_boxes) {
            const CameraView & view = frame->views[size_t(cam)];
            for (const ViewBox & b : frame->boxes) {
                if (!settings.shows(b)) continue;
                std::vector<PixelSegment> edges = project_box_edges(b.box, view);
                if (edges.empty()) continue;
                ImU32 colour = class_colour_u32(b.cls);
                for (const PixelSegment & e : edges) {
                    ImVec2 p = to_cell(e.a, view, cell, mirror), q = to_cell(e.b, view, cell, mirror);
                    if (b.predicted)
                        add_dashed_line(dl, p, q, colour, e.front ? 2.0f : 1.2f);
                    else
                        dl.AddLine(p, q, colour, e.front ? 2.0f : 1.2f);
                }
                if (!settings.track_ids) continue;
                Vec3 top = b.box.center + b.box.rotation.rotate({0, 0, b.box.size.z / 2});
                Vec3 top_cam = view.camera_to_world.apply_inverse(top);
                if (top_cam.z > kLabelDepth) continue;
                if (auto px = project_world_point(top, view)) {
                    char text[16];
                    // Predictions have no track: their label is the score.
                    if (b.predicted)
                        std::snprintf(text, sizeof text, "%.2f", b.score);
                    else
                        std::snprintf(text, sizeof text, "%u", b.track_id);
                    ImVec2 at = to_cell(*px, view, cell, mirror);
                    draw_label(dl, ImVec2(at.x - 6, at.y - 16), text, colour);
                }
            }
        }
        const char * name = cam >= 0 ? frame->channels[size_t(cam)].c_str() : kGridChannels[slot];
        char label[48];
        std::snprintf(label, sizeof label, "%s%s", short_channel(name), mirror ? "  (mirrored)" : "");
        draw_label(dl, ImVec2(cell.x + 6, cell.y + 5), label, IM_COL32(235, 238, 242, 255));
        dl.PopClipRect();
    }
}

}  // namespace rs
