// One colour per detection class, shared by camera overlays, the BEV and the legend. Colours follow
// the nuScenes devkit's families (vehicles warm, people blue, static objects grey) but are brighter
// so thin lines stay readable over camera images.
#pragma once

#include <cstdint>

#include "engine/object_class.h"

namespace rs {

struct Rgb8 {
    uint8_t r = 0, g = 0, b = 0;
};

Rgb8 class_colour(ObjectClass c);
// Packed as Dear ImGui's IM_COL32 (ABGR in memory order RGBA).
uint32_t class_colour_u32(ObjectClass c, uint8_t alpha = 255);

}  // namespace rs
