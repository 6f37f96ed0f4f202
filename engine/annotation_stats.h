// What a dataset's annotations hold per detection class, motion included: the share of objects
// that move is what a velocity head must learn to tell apart, and their speed times the key-frame
// interval is how far they travel between the frames temporal attention compares.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/lidar_box_conversion.h"  // kMovingSpeed
#include "engine/nuscenes_reader.h"

namespace rs {

struct ClassAnnotationStats {
    int64_t annotations = 0;
    int64_t with_points = 0;     // lidar or radar points
    int64_t with_velocity = 0;   // annotation_velocity finite (not a lone annotation)
    int64_t moving = 0;          // horizontal speed > kMovingSpeed, where box attributes say moving
    double moving_speed_sum = 0; // m/s, over the moving ones

    double moving_share() const { return with_velocity ? double(moving) / double(with_velocity) : 0.0; }
    double mean_moving_speed() const { return moving ? moving_speed_sum / double(moving) : 0.0; }
};

// Keyed by detection name ("car", ...); categories outside the ten classes count under
// "(not a detection class)".
std::map<std::string, ClassAnnotationStats> annotation_stats(const NuScenesDataset & ds);

}  // namespace rs
