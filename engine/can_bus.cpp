#include "engine/can_bus.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "engine/file_io.h"
#include "engine/json.h"

namespace rs {

namespace {

Json vec_json(const Vec3 & v) { return Json(Json::Array{v.x, v.y, v.z}); }

Vec3 read_vec3(const Json & a, const std::string & where) {
    if (!a.is_array() || a.size() != 3) throw std::runtime_error(where + ": expected 3 numbers");
    Vec3 v{a.at(size_t(0)).as_double(), a.at(size_t(1)).as_double(), a.at(size_t(2)).as_double()};
    if (!std::isfinite(v.x) || !std::isfinite(v.y) || !std::isfinite(v.z))
        throw std::runtime_error(where + ": not finite");
    return v;
}

}  // namespace

void write_can_bus(const std::string & dataroot, const std::string & scene, const std::vector<CanPoseMessage> & pose,
                   const std::vector<CanVehicleMonitor> & monitor) {
    std::filesystem::create_directories(dataroot + "/can_bus");
    // Key order as in the real files, which BEVFormer's converter depends on.
    Json pose_list = Json::array();
    for (const CanPoseMessage & m : pose) {
        Json o = Json::object();
        o.set("accel", vec_json(m.accel));
        o.set("orientation", Json(Json::Array{m.orientation.w, m.orientation.x, m.orientation.y, m.orientation.z}));
        o.set("pos", vec_json(m.pos));
        o.set("rotation_rate", vec_json(m.rotation_rate));
        o.set("utime", m.utime);
        o.set("vel", vec_json(m.vel));
        pose_list.push_back(std::move(o));
    }
    Json monitor_list = Json::array();
    for (const CanVehicleMonitor & m : monitor) {
        Json o = Json::object();
        o.set("brake", m.brake);
        o.set("steering", m.steering_deg);
        o.set("throttle", m.throttle);
        o.set("utime", m.utime);
        o.set("vehicle_speed", m.vehicle_speed_kmh);
        o.set("yaw_rate", m.yaw_rate_degs);
        monitor_list.push_back(std::move(o));
    }
    JsonWriteOptions opt;
    opt.indent = 1;
    write_file_atomic(dataroot + "/can_bus/" + scene + "_pose.json", write_json(pose_list, opt));
    write_file_atomic(dataroot + "/can_bus/" + scene + "_vehicle_monitor.json", write_json(monitor_list, opt));
}

std::vector<CanPoseMessage> read_can_pose(const std::string & dataroot, const std::string & scene) {
    std::string path = dataroot + "/can_bus/" + scene + "_pose.json";
    std::vector<CanPoseMessage> out;
    if (!std::filesystem::exists(path)) return out;
    Json doc = parse_json(read_file_text(path), path);
    if (!doc.is_array()) throw std::runtime_error(path + ": expected a list of pose messages");
    for (size_t i = 0; i < doc.size(); ++i) {
        const Json & m = doc.at(i);
        std::string where = path + ": message " + std::to_string(i);
        try {
            CanPoseMessage p;
            p.utime = m.at("utime").as_int64();
            p.accel = read_vec3(m.at("accel"), where + " accel");
            p.pos = read_vec3(m.at("pos"), where + " pos");
            p.rotation_rate = read_vec3(m.at("rotation_rate"), where + " rotation_rate");
            p.vel = read_vec3(m.at("vel"), where + " vel");
            const Json & q = m.at("orientation");
            if (!q.is_array() || q.size() != 4) throw std::runtime_error(where + " orientation: expected 4 numbers");
            p.orientation = {q.at(size_t(0)).as_double(), q.at(size_t(1)).as_double(), q.at(size_t(2)).as_double(),
                             q.at(size_t(3)).as_double()};
            out.push_back(p);
        } catch (const JsonError & e) {
            throw std::runtime_error(where + ": " + e.what());
        }
    }
    return out;
}

}  // namespace rs
