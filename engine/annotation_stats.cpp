#include "engine/annotation_stats.h"

#include <cmath>

#include "engine/detection_boxes.h"
#include "engine/object_class.h"

namespace rs {

std::map<std::string, ClassAnnotationStats> annotation_stats(const NuScenesDataset & ds) {
    std::map<std::string, ClassAnnotationStats> out;
    const auto & annotations = ds.tables().sample_annotation;
    for (size_t a = 0; a < annotations.size(); ++a) {
        const std::optional<ObjectClass> cls = class_from_category(ds.category_name(a));
        ClassAnnotationStats & s = out[cls ? class_name(*cls) : "(not a detection class)"];
        ++s.annotations;
        s.with_points += annotations[a].num_lidar_pts + annotations[a].num_radar_pts > 0;
        const Vec3 v = annotation_velocity(ds, a);
        if (!std::isfinite(v.x) || !std::isfinite(v.y)) continue;
        ++s.with_velocity;
        const double speed = std::hypot(v.x, v.y);
        if (speed > kMovingSpeed) {
            ++s.moving;
            s.moving_speed_sum += speed;
        }
    }
    return out;
}

}  // namespace rs
