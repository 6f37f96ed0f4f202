#include "app/shell/predicted_boxes.h"

#include <cstdio>

namespace rs {

std::vector<ViewBox> predicted_view_boxes(const Perception & perception) {
    std::vector<ViewBox> out;
    out.reserve(perception.boxes.size());
    for (const EvalBox & e : perception.boxes) {
        ViewBox b;
        b.cls = e.detection_name;
        b.box = Box3D{e.translation, e.size, e.rotation};
        b.velocity = {e.velocity.x, e.velocity.y, 0.0};
        b.attribute = e.attribute_name;
        b.score = float(e.detection_score);
        b.predicted = true;
        out.push_back(std::move(b));
    }
    return out;
}

std::string perception_note(const std::string & model, const Perception & perception) {
    char text[128];
    std::snprintf(text, sizeof text, ": %zu boxes, network %.0f ms, %s", perception.boxes.size(), perception.network_ms,
                  perception.temporal ? "with the previous BEV" : "no previous BEV");
    return model + text;
}

}  // namespace rs
