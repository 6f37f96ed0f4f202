#include "engine/lane_occupancy.h"

namespace rs {

void LaneOccupancy::reset(size_t lanes, size_t nodes, size_t crosswalks) {
    spans_.resize(lanes);
    for (auto & s : spans_) s.clear();
    reservations_.resize(nodes);
    for (auto & r : reservations_) r.clear();
    claims_.resize(nodes);
    for (auto & c : claims_) c.clear();
    crossing_.resize(crosswalks);
    for (auto & c : crossing_) c.clear();
}

}  // namespace rs
