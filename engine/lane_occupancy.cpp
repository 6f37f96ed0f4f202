#include "engine/lane_occupancy.h"

namespace rs {

void LaneOccupancy::reset(size_t lanes, size_t nodes, size_t crosswalks) {
    spans_.resize(lanes);
    for (auto & s : spans_) s.clear();
    reservations_.resize(nodes);
    for (auto & r : reservations_) r.clear();
    crosswalk_busy_.assign(crosswalks, 0);
}

}  // namespace rs
