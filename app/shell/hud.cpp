#include "app/shell/hud.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "app/shell/bev_panel.h"
#include "app/shell/class_palette.h"

namespace rs {

namespace {

constexpr ImGuiWindowFlags kPanelFlags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                         ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                         ImGuiWindowFlags_NoBringToFrontOnFocus;

void bar(const char * label, double value, ImU32 colour) {
    ImGui::TextUnformatted(label);
    ImGui::SameLine(70);
    ImVec2 p = ImGui::GetCursorScreenPos();
    float w = std::max(40.0f, ImGui::GetContentRegionAvail().x), h = ImGui::GetTextLineHeight() - 2;
    ImDrawList * dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(p.x, p.y + 1), ImVec2(p.x + w, p.y + 1 + h), IM_COL32(255, 255, 255, 20), 2.0f);
    dl->AddRectFilled(ImVec2(p.x, p.y + 1), ImVec2(p.x + w * float(std::clamp(value, 0.0, 1.0)), p.y + 1 + h), colour, 2.0f);
    ImGui::Dummy(ImVec2(w, h + 2));
}

// Legend names: detection names with spaces, the long one shortened to fit half a panel.
const char * legend_name(ObjectClass c) {
    static const char * const kNames[kNumObjectClasses] = {"car", "truck", "bus", "trailer", "constr. vehicle",
                                                           "pedestrian", "motorcycle", "bicycle", "traffic cone",
                                                           "barrier"};
    return kNames[int(c)];
}

void status_panel(const ViewFrame * frame, const HudStats & stats) {
    ImGui::TextColored(ImVec4(0.55f, 0.78f, 1.0f, 1.0f), "%s", stats.source.c_str());
    if (frame) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", frame->label.c_str());
    }
    ImGui::Separator();
    ImGui::Text("view     %5.1f fps   %5.2f ms", stats.ui_fps, stats.ui_frame_ms);
    ImGui::Text("source   %5.1f fps   %5.1f ms", stats.source_fps, frame ? frame->produce_ms : 0.0);
    if (!frame) {
        ImGui::TextDisabled("waiting for the first frame...");
        return;
    }
    ImGui::Text("ego      %5.1f km/h  t = %.1f s", frame->ego_speed * 3.6, frame->time);
    size_t predicted = 0;
    for (const ViewBox & b : frame->boxes) predicted += b.predicted;
    ImGui::Text("boxes    %zu ground truth, %zu predicted", frame->boxes.size() - predicted, predicted);
    if (!frame->perception.empty()) ImGui::TextWrapped("model    %s", frame->perception.c_str());
    if (stats.source == "Live Sim") {
        ImGui::Text("driver   %s", frame->expert ? "expert  (E: take over)" : "you  (WASD / arrows, E: expert)");
        if (!frame->expert) {
            bar("throttle", frame->control.throttle, IM_COL32(80, 220, 140, 255));
            bar("brake", frame->control.brake, IM_COL32(240, 90, 80, 255));
            bar("steer", 0.5 - 0.5 * frame->control.steer, IM_COL32(120, 170, 255, 255));
        }
    }
    if (!frame->warning.empty()) ImGui::TextColored(ImVec4(1.0f, 0.7f, 0.3f, 1.0f), "%s", frame->warning.c_str());
    ImGui::TextDisabled("%s", stats.gpu.c_str());
}

void layers_panel(OverlaySettings & s, BevPanel & bev) {
    ImGui::TextDisabled("classes");
    if (ImGui::BeginTable("classes", 2)) {
        for (int i = 0; i < kNumObjectClasses; ++i) {
            ObjectClass c = ObjectClass(i);
            ImGui::TableNextColumn();
            ImGui::PushID(i);
            ImVec2 p = ImGui::GetCursorScreenPos();
            float h = ImGui::GetFrameHeight();
            ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 4), ImVec2(p.x + 10, p.y + h - 4),
                                                      class_colour_u32(c, s.class_visible[size_t(i)] ? 255 : 70), 2.0f);
            ImGui::Dummy(ImVec2(12, h));
            ImGui::SameLine();
            ImGui::Checkbox(legend_name(c), &s.class_visible[size_t(i)]);
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    ImGui::SetNextItemWidth(-90);
    ImGui::SliderFloat("min score", &s.score_threshold, 0.0f, 1.0f, "%.2f");
    ImGui::Checkbox("ground truth", &s.ground_truth);
    ImGui::SameLine();
    ImGui::Checkbox("predictions (dashed)", &s.predictions);
    ImGui::Separator();
    ImGui::Checkbox("boxes in cameras", &s.camera_boxes);
    ImGui::SameLine();
    ImGui::Checkbox("track ids", &s.track_ids);
    ImGui::Checkbox("mirror back row", &s.mirror_back_row);
    ImGui::Checkbox("map layer", &s.bev_map);
    ImGui::SameLine();
    ImGui::Checkbox("follow ego", &s.bev_follow_ego);
    ImGui::SameLine();
    ImGui::Checkbox("trajectory", &s.bev_trajectory);
    bool ruler = bev.measuring();
    if (ImGui::Checkbox("ruler (M)", &ruler)) bev.set_measuring(ruler);
    if (auto d = bev.measured_distance()) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(1.0f, 0.9f, 0.25f, 1.0f), "%.2f m", *d);
    }
}

}  // namespace

void draw_hud(const ViewFrame * frame, const Rect & area, const HudStats & stats, OverlaySettings & settings,
              BevPanel & bev) {
    if (!settings.hud || area.w < 120 || area.h < 80) return;
    const float gap = 6.0f;
    float status_w = std::min(area.w * 0.5f, 360.0f);
    ImGui::SetNextWindowPos(ImVec2(area.x + gap, area.y + gap));
    ImGui::SetNextWindowSize(ImVec2(status_w - gap, area.h - 2 * gap));
    if (ImGui::Begin("Status", nullptr, kPanelFlags)) status_panel(frame, stats);
    ImGui::End();
    ImGui::SetNextWindowPos(ImVec2(area.x + status_w + gap, area.y + gap));
    ImGui::SetNextWindowSize(ImVec2(area.w - status_w - 2 * gap, area.h - 2 * gap));
    if (ImGui::Begin("Layers", nullptr, kPanelFlags)) layers_panel(settings, bev);
    ImGui::End();
}

}  // namespace rs
