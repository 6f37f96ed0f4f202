// Camera cells of the view drawn with ImGui: the empty-cell placeholder, the channel label, and
// every visible box projected into every camera (class colour, forward face, track id).
#pragma once

#include <array>

#include "app/shell/overlay_settings.h"
#include "app/shell/view_frame.h"
#include "app/shell/view_layout.h"

struct ImDrawList;

namespace rs {

// Index into frame.images / views of each grid slot's channel, -1 when the frame lacks it.
std::array<int, 6> grid_cameras(const ViewFrame & frame);

// `has_image[i]` says whether the textured quad of slot i was drawn under this overlay.
void draw_camera_overlays(ImDrawList & dl, const ViewFrame * frame, const ViewLayout & layout,
                          const OverlaySettings & settings, const std::array<bool, 6> & has_image);

}  // namespace rs
