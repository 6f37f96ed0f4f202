// The bird's-eye view: semantic map layer, 10 m grid and range rings, past trajectory, boxes with
// heading and class colour, the ego marker; wheel zoom, hover tooltips and a two-click ruler.
#pragma once

#include <optional>
#include <vector>

#include "app/shell/overlay_settings.h"
#include "app/shell/view_frame.h"
#include "app/shell/view_layout.h"

namespace rs {

class BevPanel {
public:
    // Draws the panel as a borderless ImGui window covering `area` and handles its mouse input;
    // between ImGui::NewFrame() and ImGui::Render().
    void draw(const ViewFrame * frame, const Rect & area, OverlaySettings & settings);

    bool measuring() const { return measuring_; }
    void set_measuring(bool on);
    // Distance between the two ruler points (metres), once both are placed.
    std::optional<double> measured_distance() const;

private:
    bool measuring_ = false;
    std::vector<Vec2> ruler_;  // world xy, at most two points
};

}  // namespace rs
