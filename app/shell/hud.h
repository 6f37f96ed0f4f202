// The view's ImGui panels: status (fps, frame time, ego speed and controls, frame name) and layers
// (class legend with per-class toggles, score threshold, overlay and BEV switches).
#pragma once

#include <string>

#include "app/shell/overlay_settings.h"
#include "app/shell/view_frame.h"
#include "app/shell/view_layout.h"

namespace rs {

class BevPanel;

struct HudStats {
    double ui_fps = 0;         // view frames per second
    double ui_frame_ms = 0;    // CPU time to build and record one view frame
    double source_fps = 0;     // new frames per second from the worker
    std::string gpu;
    std::string source;        // "Live Sim" or the dataset's name
};

// Between ImGui::NewFrame() and ImGui::Render(); places itself in `area` (the layout's panels).
void draw_hud(const ViewFrame * frame, const Rect & area, const HudStats & stats, OverlaySettings & settings,
              BevPanel & bev);

}  // namespace rs
