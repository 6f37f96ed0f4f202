// Simulated Velodyne HDL-32E, the LIDAR_TOP of the nuScenes car: 32 beams fanned from -30.67 to
// +10.67 degrees, spinning at 20 Hz, ray cast against the static and dynamic scene. Points come
// back in the sensor frame (x right, y forward, z up) in nuScenes .pcd.bin layout, each with the
// instance id it hit, so annotations can carry honest num_lidar_pts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/geometry.h"
#include "engine/mesh_bvh.h"

namespace rs {

constexpr int kLidarBeams = 32;
constexpr double kLidarRateHz = 20.0;  // revolutions per second: one sweep every 50 ms

struct LidarConfig {
    int azimuth_steps = 1080;          // firings per revolution (one per beam each)
    double min_elevation_deg = -30.67;  // ring 0
    double max_elevation_deg = 10.67;   // ring 31; rings are evenly spaced in between
    double min_range = 1.0;            // metres; nearer returns fall in the sensor's blind zone
    double max_range = 70.0;           // metres; nothing returns from further away
    double intensity_gain = 100.0;     // intensity of a white surface hit head-on (0..255)
};

// One return, laid out exactly as a .pcd.bin record: 5 float32, ring as a float.
struct LidarPoint {
    float x = 0, y = 0, z = 0;  // sensor frame, metres
    float intensity = 0;        // 0..255, integer valued like nuScenes
    float ring = 0;             // 0 (lowest beam) .. 31
};
static_assert(sizeof(LidarPoint) == 20, "LidarPoint must match the 20-byte .pcd.bin record");

struct LidarScan {
    std::vector<LidarPoint> points;
    std::vector<uint32_t> instance_ids;  // beside points, per point (0 = background); never written to file
};

// Elevation of a beam above the sensor's xy plane, radians.
double lidar_beam_elevation(const LidarConfig & config, int ring);

// Unit direction of one firing in the sensor frame. Azimuth step 0 points forward (+y) and the
// head turns clockwise seen from above (towards +x), as a Velodyne does.
Vec3 lidar_beam_direction(const LidarConfig & config, int ring, int azimuth_step);

// One full revolution from `sensor_to_world` (e.g. ego_to_world * nuscenes_lidar_mount()). Points are
// ordered by azimuth step, then ring. The whole sweep uses one pose: in 50 ms the ego moves at most
// a metre or so and nuScenes' own sweeps are motion-compensated only approximately, so the rolling
// shutter is not simulated. Deterministic: same scene and pose, same points.
LidarScan scan_lidar(const MeshBvh & static_bvh, const MeshBvh & dynamic_bvh, const Pose & sensor_to_world,
                     const LidarConfig & config = {});

// nuScenes .pcd.bin: 5 little-endian float32 per point. Written to "<path>.tmp" and renamed, so a
// reader never sees half a file. Both throw std::runtime_error naming the file.
void write_pcd_bin(const std::string & path, const std::vector<LidarPoint> & points);
std::vector<LidarPoint> read_pcd_bin(const std::string & path);

// Points inside an oriented box, with the devkit's points_in_box semantics: inclusive on every
// face, box size (w, l, h) with l along the box's x axis, scaled by wlh_factor. Box and points in
// the same frame. A simulated return lies exactly on its object's surface, which is the box
// boundary when the mesh was built from the box, so half of those land outside by rounding:
// callers counting hits on their own boxes should pass a factor slightly above 1 (e.g. 1.02).
int count_points_in_box(const std::vector<LidarPoint> & points, const Vec3 & centre, const Vec3 & size_wlh,
                        const Quat & rotation, double wlh_factor = 1.0);

// Same for a box given in the world while the scan is in the sensor frame.
int count_points_in_box(const LidarScan & scan, const Pose & sensor_to_world, const Pose & box_to_world,
                        const Vec3 & size_wlh, double wlh_factor = 1.0);

}  // namespace rs
