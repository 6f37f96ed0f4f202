#include "engine/nuscenes_writer.h"

#include <filesystem>

#include "engine/file_io.h"
#include "engine/json.h"

namespace rs {

namespace {

Json vec3_json(const Vec3 & v) { return Json(Json::Array{v.x, v.y, v.z}); }
Json quat_json(const Quat & q) { return Json(Json::Array{q.w, q.x, q.y, q.z}); }

Json strings_json(const std::vector<std::string> & v) {
    Json::Array a;
    a.reserve(v.size());
    for (const std::string & s : v) a.emplace_back(s);
    return Json(std::move(a));
}

Json intrinsic_json(const std::optional<Mat3> & k) {
    Json::Array rows;
    if (k)
        for (int r = 0; r < 3; ++r) rows.push_back(Json(Json::Array{(*k)(r, 0), (*k)(r, 1), (*k)(r, 2)}));
    return Json(std::move(rows));
}

// Records are built with emplace_back, not set(): field names are unique by construction.
Json to_json(const NuAttribute & a) {
    return Json(Json::Object{{"token", a.token}, {"name", a.name}, {"description", a.description}});
}

Json to_json(const NuCalibratedSensor & c) {
    return Json(Json::Object{{"token", c.token},
                             {"sensor_token", c.sensor_token},
                             {"translation", vec3_json(c.translation)},
                             {"rotation", quat_json(c.rotation)},
                             {"camera_intrinsic", intrinsic_json(c.camera_intrinsic)}});
}

Json to_json(const NuCategory & c) {
    Json::Object o{{"token", c.token}, {"name", c.name}, {"description", c.description}};
    if (c.index) o.emplace_back("index", *c.index);
    return Json(std::move(o));
}

Json to_json(const NuEgoPose & e) {
    return Json(Json::Object{{"token", e.token},
                             {"timestamp", e.timestamp},
                             {"rotation", quat_json(e.rotation)},
                             {"translation", vec3_json(e.translation)}});
}

Json to_json(const NuInstance & i) {
    return Json(Json::Object{{"token", i.token},
                             {"category_token", i.category_token},
                             {"nbr_annotations", i.nbr_annotations},
                             {"first_annotation_token", i.first_annotation_token},
                             {"last_annotation_token", i.last_annotation_token}});
}

Json to_json(const NuLog & l) {
    return Json(Json::Object{{"token", l.token},
                             {"logfile", l.logfile},
                             {"vehicle", l.vehicle},
                             {"date_captured", l.date_captured},
                             {"location", l.location}});
}

Json to_json(const NuMap & m) {
    return Json(Json::Object{{"category", m.category},
                             {"token", m.token},
                             {"filename", m.filename},
                             {"log_tokens", strings_json(m.log_tokens)}});
}

Json to_json(const NuSample & s) {
    return Json(Json::Object{{"token", s.token},
                             {"timestamp", s.timestamp},
                             {"prev", s.prev},
                             {"next", s.next},
                             {"scene_token", s.scene_token}});
}

Json to_json(const NuSampleAnnotation & a) {
    return Json(Json::Object{{"token", a.token},
                             {"sample_token", a.sample_token},
                             {"instance_token", a.instance_token},
                             {"visibility_token", a.visibility_token},
                             {"attribute_tokens", strings_json(a.attribute_tokens)},
                             {"translation", vec3_json(a.translation)},
                             {"size", vec3_json(a.size)},
                             {"rotation", quat_json(a.rotation)},
                             {"prev", a.prev},
                             {"next", a.next},
                             {"num_lidar_pts", a.num_lidar_pts},
                             {"num_radar_pts", a.num_radar_pts}});
}

Json to_json(const NuSampleData & d) {
    return Json(Json::Object{{"token", d.token},
                             {"sample_token", d.sample_token},
                             {"ego_pose_token", d.ego_pose_token},
                             {"calibrated_sensor_token", d.calibrated_sensor_token},
                             {"timestamp", d.timestamp},
                             {"fileformat", d.fileformat},
                             {"is_key_frame", d.is_key_frame},
                             {"height", d.height},
                             {"width", d.width},
                             {"filename", d.filename},
                             {"prev", d.prev},
                             {"next", d.next}});
}

Json to_json(const NuScene & s) {
    return Json(Json::Object{{"token", s.token},
                             {"log_token", s.log_token},
                             {"nbr_samples", s.nbr_samples},
                             {"first_sample_token", s.first_sample_token},
                             {"last_sample_token", s.last_sample_token},
                             {"name", s.name},
                             {"description", s.description}});
}

Json to_json(const NuSensor & s) {
    return Json(Json::Object{{"token", s.token}, {"channel", s.channel}, {"modality", s.modality}});
}

Json to_json(const NuVisibility & v) {
    return Json(Json::Object{{"description", v.description}, {"token", v.token}, {"level", v.level}});
}

// Record by record, so a million-row table never exists as one JSON tree; the layout is
// json.dumps(records, indent=1).
template <class Record>
std::string table_text(const std::vector<Record> & records) {
    if (records.empty()) return "[]";
    JsonWriteOptions opt;
    opt.indent = 1;
    opt.level = 1;
    std::string out = "[";
    for (size_t i = 0; i < records.size(); ++i) {
        out += i ? ",\n " : "\n ";
        write_json(out, to_json(records[i]), opt);
        // Records of a table have similar sizes: one allocation instead of repeated regrowth.
        if (i == 0) out.reserve(out.size() * records.size() + out.size() / 4 + 16);
    }
    out += "\n]";
    return out;
}

}  // namespace

std::string nuscenes_table_json(const NuScenesTables & t, NuTable table) {
    switch (table) {
    case NuTable::attribute: return table_text(t.attribute);
    case NuTable::calibrated_sensor: return table_text(t.calibrated_sensor);
    case NuTable::category: return table_text(t.category);
    case NuTable::ego_pose: return table_text(t.ego_pose);
    case NuTable::instance: return table_text(t.instance);
    case NuTable::log: return table_text(t.log);
    case NuTable::map: return table_text(t.map);
    case NuTable::sample: return table_text(t.sample);
    case NuTable::sample_annotation: return table_text(t.sample_annotation);
    case NuTable::sample_data: return table_text(t.sample_data);
    case NuTable::scene: return table_text(t.scene);
    case NuTable::sensor: return table_text(t.sensor);
    case NuTable::visibility: return table_text(t.visibility);
    }
    return "[]";
}

void write_nuscenes(const NuScenesTables & tables, const std::string & dir, const std::string & version,
                    const JobContext * job) {
    const std::string folder = dir + "/" + version;
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) throw DatasetError(folder + ": cannot create folder: " + ec.message());
    for (int t = 0; t < kNumNuTables; ++t) {
        if (job) {
            job->checkpoint();
            job->report(t, kNumNuTables, std::string("writing ") + kNuTableNames[t]);
        }
        const std::string path = folder + "/" + kNuTableNames[t] + ".json";
        try {
            write_file_atomic(path, nuscenes_table_json(tables, static_cast<NuTable>(t)));
        } catch (const std::runtime_error & e) {
            throw DatasetError(path + ": " + e.what());
        }
    }
    if (job) job->report(kNumNuTables, kNumNuTables, "done");
}

}  // namespace rs
