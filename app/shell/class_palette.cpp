#include "app/shell/class_palette.h"

#include <array>

namespace rs {

namespace {

const std::array<Rgb8, kNumObjectClasses> kColours = {{
    {255, 158, 0},    // car
    {255, 99, 71},    // truck
    {255, 69, 0},     // bus
    {255, 140, 90},   // trailer
    {233, 150, 70},   // construction_vehicle
    {60, 170, 255},   // pedestrian
    {255, 61, 99},    // motorcycle
    {220, 20, 160},   // bicycle
    {160, 160, 160},  // traffic_cone
    {112, 128, 144},  // barrier
}};

}  // namespace

Rgb8 class_colour(ObjectClass c) { return kColours[int(c)]; }

uint32_t class_colour_u32(ObjectClass c, uint8_t alpha) {
    Rgb8 k = kColours[int(c)];
    return uint32_t(k.r) | uint32_t(k.g) << 8 | uint32_t(k.b) << 16 | uint32_t(alpha) << 24;
}

}  // namespace rs
