#include "engine/agent_catalog.h"

#include <algorithm>

namespace rs {

namespace {

struct SizeStats {
    double w, l, h, sw, sl, sh;  // means and spreads
};

// Means follow the nuScenes training-set class statistics; spreads keep instances varied.
const SizeStats kSizes[kNumObjectClasses] = {
    {1.95, 4.62, 1.73, 0.12, 0.40, 0.16},   // car
    {2.51, 6.93, 2.84, 0.18, 1.10, 0.35},   // truck
    {2.94, 11.0, 3.47, 0.08, 1.00, 0.20},   // bus
    {2.90, 12.3, 3.87, 0.10, 1.60, 0.25},   // trailer
    {2.73, 6.38, 3.20, 0.25, 1.00, 0.35},   // construction_vehicle
    {0.67, 0.73, 1.77, 0.07, 0.10, 0.10},   // pedestrian
    {0.77, 2.11, 1.47, 0.08, 0.18, 0.10},   // motorcycle
    {0.60, 1.70, 1.28, 0.06, 0.12, 0.08},   // bicycle
    {0.41, 0.42, 1.07, 0.04, 0.04, 0.10},   // traffic_cone
    {2.53, 0.50, 0.98, 0.25, 0.05, 0.06},   // barrier
};

struct PaletteEntry {
    uint8_t r, g, b;
    double weight;
};

// Car paint by rough real-world popularity: white, black, grey and silver dominate.
const PaletteEntry kCarPaint[] = {
    {225, 226, 228, 0.24}, {22, 23, 26, 0.20}, {110, 112, 116, 0.16}, {170, 172, 176, 0.12},
    {28, 48, 96, 0.08},    {150, 22, 26, 0.08}, {40, 90, 160, 0.05},  {190, 178, 150, 0.03},
    {40, 80, 50, 0.02},    {95, 60, 40, 0.02},
};
const PaletteEntry kTruckCab[] = {
    {230, 230, 230, 0.4}, {30, 60, 140, 0.2}, {170, 30, 30, 0.15}, {230, 200, 40, 0.1}, {60, 60, 64, 0.15},
};
const PaletteEntry kBusPaint[] = {
    {200, 30, 35, 0.3}, {30, 80, 170, 0.25}, {235, 235, 230, 0.25}, {240, 190, 30, 0.1}, {40, 140, 80, 0.1},
};
const PaletteEntry kMachinePaint[] = {
    {240, 180, 20, 0.6}, {230, 110, 20, 0.3}, {200, 200, 200, 0.1},
};
const PaletteEntry kClothes[] = {
    {30, 30, 36, 0.2},   {200, 200, 205, 0.1}, {40, 60, 110, 0.15}, {120, 30, 35, 0.08}, {90, 90, 95, 0.12},
    {60, 90, 60, 0.07},  {180, 150, 110, 0.08}, {230, 120, 40, 0.05}, {150, 170, 200, 0.1}, {110, 70, 130, 0.05},
};
const PaletteEntry kTrousers[] = {
    {30, 35, 60, 0.35}, {25, 25, 28, 0.3}, {110, 100, 85, 0.15}, {80, 80, 85, 0.15}, {160, 150, 130, 0.05},
};
const PaletteEntry kSkin[] = {
    {240, 200, 170, 0.3}, {210, 160, 120, 0.3}, {160, 110, 75, 0.2}, {100, 65, 45, 0.2},
};

template <size_t N>
void pick(const PaletteEntry (&palette)[N], Rng & rng, uint8_t out[4]) {
    double total = 0;
    for (const PaletteEntry & e : palette) total += e.weight;
    double u = rng.uniform() * total;
    const PaletteEntry * chosen = &palette[N - 1];
    for (const PaletteEntry & e : palette) {
        if (u < e.weight) { chosen = &e; break; }
        u -= e.weight;
    }
    // A little shade variation so two white cars are not identical.
    double shade = rng.uniform(0.92, 1.06);
    out[0] = uint8_t(std::clamp(chosen->r * shade, 0.0, 255.0));
    out[1] = uint8_t(std::clamp(chosen->g * shade, 0.0, 255.0));
    out[2] = uint8_t(std::clamp(chosen->b * shade, 0.0, 255.0));
    out[3] = 255;
}

void set(uint8_t out[4], uint8_t r, uint8_t g, uint8_t b) {
    out[0] = r; out[1] = g; out[2] = b; out[3] = 255;
}

}  // namespace

Vec3 sample_agent_size(ObjectClass cls, bool with_rider, Rng & rng) {
    const SizeStats & s = kSizes[int(cls)];
    Vec3 size{std::max(0.2, rng.normal(s.w, s.sw)), std::max(0.2, rng.normal(s.l, s.sl)),
              std::max(0.3, rng.normal(s.h, s.sh))};
    // Ridden cycles: the box holds the rider, so it is taller than the parked-cycle mean.
    if (cls == ObjectClass::bicycle || cls == ObjectClass::motorcycle)
        size.z = with_rider ? rng.normal(1.70, 0.06) : rng.normal(cls == ObjectClass::bicycle ? 1.05 : 1.20, 0.05);
    return size;
}

double sample_desired_speed(ObjectClass cls, Rng & rng) {
    switch (cls) {
    case ObjectClass::car: return rng.normal(12.5, 1.0);
    case ObjectClass::truck: return rng.normal(11.0, 0.8);
    case ObjectClass::bus: return rng.normal(10.5, 0.6);
    case ObjectClass::construction_vehicle: return rng.normal(7.5, 0.5);
    case ObjectClass::motorcycle: return rng.normal(13.0, 1.0);
    case ObjectClass::bicycle: return rng.normal(5.0, 0.6);
    case ObjectClass::pedestrian: return std::clamp(rng.normal(1.3, 0.15), 1.0, 1.6);
    default: return 0;
    }
}

AgentLook sample_agent_look(ObjectClass cls, Rng & rng) {
    AgentLook look;
    switch (cls) {
    case ObjectClass::car:
        pick(kCarPaint, rng, look.primary);
        set(look.secondary, 30, 32, 36);
        break;
    case ObjectClass::truck:
        pick(kTruckCab, rng, look.primary);
        rng.chance(0.6) ? set(look.secondary, 215, 215, 212) : pick(kTruckCab, rng, look.secondary);
        break;
    case ObjectClass::bus:
        pick(kBusPaint, rng, look.primary);
        set(look.secondary, 40, 48, 58);
        break;
    case ObjectClass::trailer:
        rng.chance(0.5) ? set(look.primary, 205, 205, 200) : pick(kTruckCab, rng, look.primary);
        set(look.secondary, 50, 50, 52);
        break;
    case ObjectClass::construction_vehicle:
        pick(kMachinePaint, rng, look.primary);
        set(look.secondary, 45, 45, 45);
        break;
    case ObjectClass::pedestrian:
    case ObjectClass::motorcycle:
    case ObjectClass::bicycle:
        if (cls == ObjectClass::pedestrian) {
            pick(kClothes, rng, look.primary);
            pick(kTrousers, rng, look.secondary);
        } else {
            pick(cls == ObjectClass::bicycle ? kBusPaint : kTruckCab, rng, look.primary);
            pick(kClothes, rng, look.secondary);
        }
        pick(kSkin, rng, look.skin);
        break;
    case ObjectClass::traffic_cone:
        set(look.primary, 240, 100, 20);
        set(look.secondary, 240, 240, 240);
        break;
    case ObjectClass::barrier:
        if (rng.chance(0.5)) set(look.primary, 210, 40, 35);
        else set(look.primary, 240, 130, 30);
        set(look.secondary, 240, 240, 240);
        break;
    }
    return look;
}

}  // namespace rs
