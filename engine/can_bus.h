// CAN-bus expansion files for generated scenes, in the nuScenes can_bus/ layout:
// can_bus/<scene>_pose.json (accel, orientation, pos, rotation_rate, vel, utime) and
// can_bus/<scene>_vehicle_monitor.json (vehicle_speed km/h, yaw_rate deg/s, steering, brake, throttle).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/geometry.h"

namespace rs {

struct CanPoseMessage {
    int64_t utime = 0;
    Vec3 accel;          // ego frame, m/s^2
    Quat orientation;    // ego -> global
    Vec3 pos;            // global, m
    Vec3 rotation_rate;  // ego frame, rad/s
    Vec3 vel;            // ego frame, m/s
};

struct CanVehicleMonitor {
    int64_t utime = 0;
    double vehicle_speed_kmh = 0, yaw_rate_degs = 0, steering_deg = 0, brake = 0, throttle = 0;
};

void write_can_bus(const std::string & dataroot, const std::string & scene_name,
                   const std::vector<CanPoseMessage> & pose, const std::vector<CanVehicleMonitor> & monitor);

// Reads <dataroot>/can_bus/<scene>_pose.json; empty when the scene has no CAN data (as 21 real
// scenes do). Malformed files throw naming the file and message index.
std::vector<CanPoseMessage> read_can_pose(const std::string & dataroot, const std::string & scene_name);

}  // namespace rs
