#include "app/shell/bev_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "app/shell/class_palette.h"
#include "app/shell/dashed_line.h"

namespace rs {

namespace {

constexpr ImU32 kBackground = IM_COL32(17, 20, 24, 255);
constexpr ImU32 kGrid = IM_COL32(255, 255, 255, 14);
constexpr ImU32 kRing = IM_COL32(255, 255, 255, 40);
constexpr ImU32 kRingText = IM_COL32(255, 255, 255, 90);
constexpr ImU32 kTrajectory = IM_COL32(80, 220, 140, 220);
constexpr ImU32 kFuture = IM_COL32(205, 225, 255, 170);  // ahead: later samples or the expert's plan
constexpr ImU32 kEgo = IM_COL32(245, 245, 245, 255);
constexpr ImU32 kRuler = IM_COL32(255, 230, 60, 255);
constexpr double kEgoLength = 4.6, kEgoWidth = 1.9, kEgoRearOverhang = 1.0;

// World xy <-> panel pixels. `ref_yaw` points up on screen: the ego's heading when following it,
// +y (north) otherwise.
struct BevTransform {
    double cx = 0, cy = 0;   // world centre
    double ref_yaw = 0;
    double scale = 1;        // pixels per metre
    float sx = 0, sy = 0;    // screen position of the centre

    ImVec2 to_screen(double x, double y) const {
        double dx = x - cx, dy = y - cy, c = std::cos(ref_yaw), s = std::sin(ref_yaw);
        double lx = c * dx + s * dy, ly = -s * dx + c * dy;
        return ImVec2(sx - float(ly * scale), sy - float(lx * scale));
    }
    Vec2 to_world(ImVec2 p) const {
        double lx = (sy - p.y) / scale, ly = (sx - p.x) / scale, c = std::cos(ref_yaw), s = std::sin(ref_yaw);
        return {cx + c * lx - s * ly, cy + s * lx + c * ly};
    }
};

double pose_yaw(const Pose & p) { return p.rotation.yaw(); }

// Footprint corners (front-left, front-right, rear-right, rear-left) of a box in world xy.
std::array<Vec2, 4> footprint(const Vec3 & centre, double yaw, double length, double width) {
    double c = std::cos(yaw), s = std::sin(yaw), hl = length / 2, hw = width / 2;
    auto at = [&](double fx, double fy) { return Vec2{centre.x + c * fx - s * fy, centre.y + s * fx + c * fy}; };
    return {at(hl, hw), at(hl, -hw), at(-hl, -hw), at(-hl, hw)};
}

bool inside_box(const ViewBox & b, const Vec2 & p) {
    double yaw = b.box.rotation.yaw(), dx = p.x - b.box.center.x, dy = p.y - b.box.center.y;
    double lx = std::cos(yaw) * dx + std::sin(yaw) * dy, ly = -std::sin(yaw) * dx + std::cos(yaw) * dy;
    return std::fabs(lx) <= b.box.size.y / 2 && std::fabs(ly) <= b.box.size.x / 2;
}

ImU32 map_colour(uint8_t cell) {
    if (cell & kBevLane) return IM_COL32(128, 136, 148, 255);
    if (cell & kBevCrossing) return IM_COL32(96, 102, 112, 255);
    if (cell & kBevDrivable) return IM_COL32(50, 56, 66, 255);
    if (cell & kBevSidewalk) return IM_COL32(34, 39, 46, 255);
    if (cell & kBevPrior) return IM_COL32(46, 52, 62, 255);
    return 0;
}

// Runs of equal colour per raster row, each drawn as one quad in the raster's (ego) frame.
void draw_map(ImDrawList & dl, const BevRaster & r, const Pose & centre, const BevTransform & t) {
    if (r.size <= 0 || r.cells.size() < size_t(r.size) * size_t(r.size)) return;
    double half = r.size * r.resolution / 2;
    auto corner = [&](int row, int col) {
        Vec3 local{half - row * r.resolution, half - col * r.resolution, 0};
        Vec3 w = centre.apply(local);
        return t.to_screen(w.x, w.y);
    };
    for (int row = 0; row < r.size; ++row) {
        const uint8_t * cells = &r.cells[size_t(row) * size_t(r.size)];
        int col = 0;
        while (col < r.size) {
            ImU32 colour = map_colour(cells[col]);
            int end = col + 1;
            while (end < r.size && map_colour(cells[end]) == colour) ++end;
            if (colour) dl.AddQuadFilled(corner(row, col), corner(row, end), corner(row + 1, end), corner(row + 1, col), colour);
            col = end;
        }
    }
}

void draw_path(ImDrawList & dl, const std::vector<Vec3> & path, const BevTransform & t, ImU32 colour) {
    if (path.size() < 2) return;
    std::vector<ImVec2> pts;
    pts.reserve(path.size());
    for (const Vec3 & p : path) pts.push_back(t.to_screen(p.x, p.y));
    dl.AddPolyline(pts.data(), int(pts.size()), colour, ImDrawFlags_None, 2.0f);
}

void draw_grid(ImDrawList & dl, const BevTransform & t, double reach) {
    constexpr double kStep = 10.0;
    double x0 = std::floor((t.cx - reach) / kStep) * kStep, y0 = std::floor((t.cy - reach) / kStep) * kStep;
    for (double x = x0; x <= t.cx + reach; x += kStep)
        dl.AddLine(t.to_screen(x, t.cy - reach), t.to_screen(x, t.cy + reach), kGrid);
    for (double y = y0; y <= t.cy + reach; y += kStep)
        dl.AddLine(t.to_screen(t.cx - reach, y), t.to_screen(t.cx + reach, y), kGrid);
}

void tooltip(const ViewBox & b, const Pose & ego) {
    ImGui::BeginTooltip();
    if (b.predicted)
        ImGui::TextColored(ImColor(class_colour_u32(b.cls)), "%s  (predicted)", class_name(b.cls));
    else
        ImGui::TextColored(ImColor(class_colour_u32(b.cls)), "%s  #%u", class_name(b.cls), b.track_id);
    ImGui::Separator();
    if (!b.attribute.empty()) ImGui::Text("attribute   %s", b.attribute.c_str());
    ImGui::Text("size (wlh)  %.2f x %.2f x %.2f m", b.box.size.x, b.box.size.y, b.box.size.z);
    double speed = std::hypot(b.velocity.x, b.velocity.y);
    ImGui::Text("speed       %.1f km/h", speed * 3.6);
    double dist = std::hypot(b.box.center.x - ego.translation.x, b.box.center.y - ego.translation.y);
    ImGui::Text("distance    %.1f m", dist);
    ImGui::Text("heading     %.1f deg", b.box.rotation.yaw() * 180.0 / kPi);
    if (b.num_lidar_pts >= 0) ImGui::Text("lidar pts   %d", b.num_lidar_pts);
    ImGui::Text("score       %.2f", b.score);
    ImGui::EndTooltip();
}

}  // namespace

void BevPanel::set_measuring(bool on) {
    measuring_ = on;
    ruler_.clear();
}

std::optional<double> BevPanel::measured_distance() const {
    if (ruler_.size() < 2) return std::nullopt;
    return std::hypot(ruler_[1].x - ruler_[0].x, ruler_[1].y - ruler_[0].y);
}

void BevPanel::draw(const ViewFrame * frame, const Rect & area, OverlaySettings & settings) {
    if (area.w < 16 || area.h < 16) return;
    ImGui::SetNextWindowPos(ImVec2(area.x, area.y));
    ImGui::SetNextWindowSize(ImVec2(area.w, area.h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    ImGui::Begin("##bev", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse |
                     ImGuiWindowFlags_NoBackground);
    ImGui::InvisibleButton("bev_area", ImVec2(area.w, area.h), ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
    bool hovered = ImGui::IsItemHovered();
    ImDrawList & dl = *ImGui::GetWindowDrawList();
    ImVec2 lo(area.x, area.y), hi(area.x + area.w, area.y + area.h);
    dl.AddRectFilled(lo, hi, kBackground);

    ImGuiIO & io = ImGui::GetIO();
    if (hovered && io.MouseWheel != 0.0f)
        settings.bev_range = std::clamp(settings.bev_range * std::pow(0.85f, io.MouseWheel), 10.0f, 250.0f);

    if (frame) {
        const Pose & ego = frame->ego_to_world;
        BevTransform t;
        t.cx = ego.translation.x;
        t.cy = ego.translation.y;
        t.ref_yaw = settings.bev_follow_ego ? pose_yaw(ego) : kPi / 2;
        t.scale = std::min(area.w, area.h) / 2.0 / std::max(1.0f, settings.bev_range);
        t.sx = area.x + area.w / 2;
        // Following the ego, show more road ahead than behind.
        t.sy = area.y + area.h * (settings.bev_follow_ego ? 0.62f : 0.5f);
        double reach = std::hypot(area.w, area.h) / t.scale;

        dl.PushClipRect(lo, hi, true);
        if (settings.bev_map) draw_map(dl, frame->bev, ego, t);
        draw_grid(dl, t, reach);
        ImVec2 centre = t.to_screen(t.cx, t.cy);
        for (int r = 10; r <= int(reach); r += 10) {
            float radius = float(r * t.scale);
            dl.AddCircle(centre, radius, kRing, 96, r % 50 == 0 ? 1.6f : 1.0f);
            if (r % 20 == 0 || t.scale * 10 > 28) {
                char text[16];
                std::snprintf(text, sizeof text, "%d m", r);
                dl.AddText(ImVec2(centre.x + 3, centre.y - radius + 1), kRingText, text);
            }
        }
        if (settings.bev_trajectory) {
            draw_path(dl, frame->trajectory, t, kTrajectory);
            draw_path(dl, frame->future, t, kFuture);
        }

        Vec2 mouse = t.to_world(io.MousePos);
        const ViewBox * hover = nullptr;
        if (settings.bev_trajectory)
            for (const ViewBox & b : frame->boxes) {
                if (!settings.shows(b)) continue;
                draw_path(dl, b.past, t, class_colour_u32(b.cls, 150));
                draw_path(dl, b.future, t, class_colour_u32(b.cls, 60));
            }
        for (const ViewBox & b : frame->boxes) {
            if (!settings.shows(b)) continue;
            double yaw = b.box.rotation.yaw();
            std::array<Vec2, 4> fp = footprint(b.box.center, yaw, b.box.size.y, b.box.size.x);
            ImVec2 q[4];
            for (int i = 0; i < 4; ++i) q[i] = t.to_screen(fp[i].x, fp[i].y);
            bool is_hover = hovered && !measuring_ && !hover && inside_box(b, mouse);
            if (is_hover) hover = &b;
            dl.AddQuadFilled(q[0], q[1], q[2], q[3], class_colour_u32(b.cls, is_hover ? 140 : b.predicted ? 25 : 55));
            if (b.predicted)
                for (int i = 0; i < 4; ++i)
                    add_dashed_line(dl, q[i], q[(i + 1) % 4], class_colour_u32(b.cls), is_hover ? 2.5f : 1.5f, 4.0f, 3.0f);
            else
                dl.AddQuad(q[0], q[1], q[2], q[3], class_colour_u32(b.cls), is_hover ? 2.5f : 1.5f);
            ImVec2 c = t.to_screen(b.box.center.x, b.box.center.y);
            ImVec2 front((q[0].x + q[1].x) / 2, (q[0].y + q[1].y) / 2);
            dl.AddLine(c, front, class_colour_u32(b.cls), 1.5f);
        }

        // Ego: its footprint from the rear axle, and a chevron for the heading.
        double yaw = pose_yaw(ego);
        Vec3 body = ego.apply({kEgoLength / 2 - kEgoRearOverhang, 0, 0});
        std::array<Vec2, 4> fp = footprint(body, yaw, kEgoLength, kEgoWidth);
        ImVec2 q[4];
        for (int i = 0; i < 4; ++i) q[i] = t.to_screen(fp[i].x, fp[i].y);
        dl.AddQuadFilled(q[0], q[1], q[2], q[3], IM_COL32(245, 245, 245, 60));
        dl.AddQuad(q[0], q[1], q[2], q[3], kEgo, 2.0f);
        Vec3 nose = ego.apply({kEgoLength - kEgoRearOverhang + 1.2, 0, 0});
        Vec3 left = ego.apply({kEgoLength - kEgoRearOverhang - 0.4, 0.9, 0});
        Vec3 right = ego.apply({kEgoLength - kEgoRearOverhang - 0.4, -0.9, 0});
        dl.AddTriangleFilled(t.to_screen(nose.x, nose.y), t.to_screen(left.x, left.y), t.to_screen(right.x, right.y), kEgo);

        if (measuring_ && hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
            if (ruler_.size() >= 2) ruler_.clear();
            ruler_.push_back(mouse);
        }
        if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) ruler_.clear();
        if (!ruler_.empty()) {
            ImVec2 a = t.to_screen(ruler_[0].x, ruler_[0].y);
            ImVec2 b = ruler_.size() > 1 ? t.to_screen(ruler_[1].x, ruler_[1].y) : io.MousePos;
            Vec2 bw = ruler_.size() > 1 ? ruler_[1] : mouse;
            dl.AddLine(a, b, kRuler, 2.0f);
            dl.AddCircleFilled(a, 4.0f, kRuler);
            dl.AddCircleFilled(b, 4.0f, kRuler);
            char text[32];
            std::snprintf(text, sizeof text, "%.2f m", std::hypot(bw.x - ruler_[0].x, bw.y - ruler_[0].y));
            ImVec2 mid((a.x + b.x) / 2 + 8, (a.y + b.y) / 2 - 8);
            ImVec2 size = ImGui::CalcTextSize(text);
            dl.AddRectFilled(ImVec2(mid.x - 4, mid.y - 2), ImVec2(mid.x + size.x + 4, mid.y + size.y + 2),
                             IM_COL32(0, 0, 0, 190), 3.0f);
            dl.AddText(mid, kRuler, text);
        }
        if (hover) tooltip(*hover, ego);
        dl.PopClipRect();
    }

    char title[96];
    std::snprintf(title, sizeof title, "BEV  %s  ±%.0f m%s", settings.bev_follow_ego ? "ego-up" : "north-up",
                  settings.bev_range, measuring_ ? "   RULER: click two points" : "");
    dl.AddRectFilled(ImVec2(area.x, area.y), ImVec2(area.x + area.w, area.y + 22), IM_COL32(0, 0, 0, 140));
    dl.AddText(ImVec2(area.x + 8, area.y + 4), measuring_ ? kRuler : IM_COL32(220, 224, 230, 255), title);
    ImGui::End();
    ImGui::PopStyleVar(2);
}

}  // namespace rs
