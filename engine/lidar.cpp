#include "engine/lidar.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace rs {

namespace {

constexpr size_t kRecordBytes = sizeof(LidarPoint);
constexpr int kRecordFloats = 5;

void check_config(const LidarConfig & c) {
    if (c.azimuth_steps <= 0)
        throw std::invalid_argument("LidarConfig: azimuth_steps must be positive, got " +
                                    std::to_string(c.azimuth_steps));
    if (!(c.min_range >= 0) || !(c.max_range > c.min_range))
        throw std::invalid_argument("LidarConfig: need 0 <= min_range < max_range");
    if (!(c.max_elevation_deg > c.min_elevation_deg))
        throw std::invalid_argument("LidarConfig: max_elevation_deg must exceed min_elevation_deg");
}

// The per-surface factor: how much of the beam a surface of this albedo sends back.
double reflectivity(const uint8_t color[4]) {
    return (0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]) / 255.0;
}

void put_f32(float v, unsigned char * out) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(u >> (8 * i));
}

float get_f32(const unsigned char * in) {
    uint32_t u = uint32_t(in[0]) | uint32_t(in[1]) << 8 | uint32_t(in[2]) << 16 | uint32_t(in[3]) << 24;
    float v;
    std::memcpy(&v, &u, 4);
    return v;
}

// Clockwise from +y, seen from above.
double azimuth(const LidarConfig & config, int step) { return 2.0 * kPi * step / config.azimuth_steps; }

}  // namespace

double lidar_beam_elevation(const LidarConfig & config, int ring) {
    if (ring < 0 || ring >= kLidarBeams) throw std::out_of_range("lidar ring " + std::to_string(ring));
    double deg = config.min_elevation_deg +
                 (config.max_elevation_deg - config.min_elevation_deg) * ring / (kLidarBeams - 1);
    return deg * kPi / 180.0;
}

Vec3 lidar_beam_direction(const LidarConfig & config, int ring, int azimuth_step) {
    double el = lidar_beam_elevation(config, ring);
    double az = azimuth(config, azimuth_step);
    double c = std::cos(el);
    return {c * std::sin(az), c * std::cos(az), std::sin(el)};
}

LidarScan scan_lidar(const MeshBvh & static_bvh, const MeshBvh & dynamic_bvh, const Pose & sensor_to_world,
                     const LidarConfig & config) {
    check_config(config);
    Mat3 rot = sensor_to_world.rotation.matrix();
    const Vec3 & origin = sensor_to_world.translation;
    LidarScan scan;
    scan.points.reserve(size_t(config.azimuth_steps) * kLidarBeams);
    scan.instance_ids.reserve(scan.points.capacity());
    // Directions factor into one elevation per ring and one azimuth per step; tabulating them
    // gives the same values as lidar_beam_direction() without four trig calls per ray.
    double cos_el[kLidarBeams], sin_el[kLidarBeams];
    for (int ring = 0; ring < kLidarBeams; ++ring) {
        double el = lidar_beam_elevation(config, ring);
        cos_el[ring] = std::cos(el);
        sin_el[ring] = std::sin(el);
    }
    for (int step = 0; step < config.azimuth_steps; ++step) {
        double az = azimuth(config, step);
        double sin_az = std::sin(az), cos_az = std::cos(az);
        for (int ring = 0; ring < kLidarBeams; ++ring) {
            Vec3 dir{cos_el[ring] * sin_az, cos_el[ring] * cos_az, sin_el[ring]};
            Vec3 dir_world = rot * dir;
            RayHit hit = intersect_closest(static_bvh, dynamic_bvh, origin, dir_world, config.max_range);
            // A near obstacle blocks the beam even though the sensor cannot measure it.
            if (!hit.hit() || hit.distance < config.min_range) continue;
            double incidence = std::fabs(hit.normal.dot(dir_world));
            double intensity = std::round(config.intensity_gain * reflectivity(hit.color) * incidence);
            Vec3 p = dir * hit.distance;
            LidarPoint pt;
            pt.x = float(p.x);
            pt.y = float(p.y);
            pt.z = float(p.z);
            pt.intensity = float(std::clamp(intensity, 0.0, 255.0));
            pt.ring = float(ring);
            scan.points.push_back(pt);
            scan.instance_ids.push_back(hit.instance_id);
        }
    }
    return scan;
}

void write_pcd_bin(const std::string & path, const std::vector<LidarPoint> & points) {
    std::vector<unsigned char> bytes(points.size() * kRecordBytes);
    unsigned char * out = bytes.data();
    for (const LidarPoint & p : points) {
        for (float v : {p.x, p.y, p.z, p.intensity, p.ring}) {
            put_f32(v, out);
            out += 4;
        }
    }
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error(path + ": cannot open " + tmp + " for writing: " + std::strerror(errno));
        f.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
        f.close();
        if (!f) {
            std::remove(tmp.c_str());
            throw std::runtime_error(path + ": writing " + tmp + " failed");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::remove(tmp.c_str());
        throw std::runtime_error(path + ": cannot rename " + tmp + " into place: " + std::strerror(err));
    }
}

std::vector<LidarPoint> read_pcd_bin(const std::string & path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw std::runtime_error(path + ": cannot open lidar point cloud: " + std::strerror(errno));
    std::streamoff size = f.tellg();
    if (size < 0) throw std::runtime_error(path + ": cannot determine the file size");
    if (size % std::streamoff(kRecordBytes) != 0)
        throw std::runtime_error(path + ": size " + std::to_string(size) +
                                 " bytes is not a multiple of 20 (5 float32 per point)");
    std::vector<unsigned char> bytes(static_cast<size_t>(size));
    f.seekg(0);
    f.read(reinterpret_cast<char *>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) throw std::runtime_error(path + ": read failed after " + std::to_string(f.gcount()) + " bytes");

    std::vector<LidarPoint> points(bytes.size() / kRecordBytes);
    const unsigned char * in = bytes.data();
    for (size_t i = 0; i < points.size(); ++i) {
        float v[kRecordFloats];
        for (float & x : v) {
            x = get_f32(in);
            in += 4;
        }
        for (float x : v)
            if (!std::isfinite(x))
                throw std::runtime_error(path + ": point " + std::to_string(i) + " has a non-finite value");
        points[i] = {v[0], v[1], v[2], v[3], v[4]};
    }
    return points;
}

int count_points_in_box(const std::vector<LidarPoint> & points, const Vec3 & centre, const Vec3 & size_wlh,
                        const Quat & rotation, double wlh_factor) {
    // Mirrors the devkit: corners 0 (front-left-top), 4 (rear), 1 (right) and 3 (bottom) span
    // the box; a point is inside when its projection on each edge lies in [0, |edge|^2].
    double w = size_wlh.x * wlh_factor, l = size_wlh.y * wlh_factor, h = size_wlh.z * wlh_factor;
    Mat3 r = rotation.matrix();
    auto corner = [&](double sx, double sy, double sz) {
        return r * Vec3{sx * l / 2, sy * w / 2, sz * h / 2} + centre;
    };
    Vec3 p1 = corner(1, 1, 1);
    Vec3 i = corner(-1, 1, 1) - p1, j = corner(1, -1, 1) - p1, k = corner(1, 1, -1) - p1;
    double ii = i.dot(i), jj = j.dot(j), kk = k.dot(k);
    int inside = 0;
    for (const LidarPoint & p : points) {
        Vec3 v = Vec3{p.x, p.y, p.z} - p1;
        double iv = v.dot(i), jv = v.dot(j), kv = v.dot(k);
        if (0 <= iv && iv <= ii && 0 <= jv && jv <= jj && 0 <= kv && kv <= kk) ++inside;
    }
    return inside;
}

int count_points_in_box(const LidarScan & scan, const Pose & sensor_to_world, const Pose & box_to_world,
                        const Vec3 & size_wlh, double wlh_factor) {
    Pose box = sensor_to_world.inverse() * box_to_world;
    return count_points_in_box(scan.points, box.translation, size_wlh, box.rotation, wlh_factor);
}

}  // namespace rs
