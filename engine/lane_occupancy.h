// Who is where on the lane graph this step: the stretch of each lane every vehicle covers, the
// intersection connectors vehicles have reserved, and which crosswalks have people on them.
// Rebuilt at the start of every step; read by car following, gap acceptance and pedestrians.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rs {

struct LaneSpan {
    double rear = 0, front = 0;  // along the lane (may extend past either end)
    double speed = 0;
    uint32_t owner = 0;
};

struct Reservation {
    int connector = -1;
    uint32_t owner = 0;
};

class LaneOccupancy {
public:
    void reset(size_t lanes, size_t nodes, size_t crosswalks);
    void add_span(int lane, const LaneSpan & span) { spans_[lane].push_back(span); }
    const std::vector<LaneSpan> & spans(int lane) const { return spans_[lane]; }
    void reserve(int node, int connector, uint32_t owner) { reservations_[node].push_back({connector, owner}); }
    const std::vector<Reservation> & reservations(int node) const { return reservations_[node]; }
    void set_crosswalk_busy(int crosswalk) { crosswalk_busy_[crosswalk] = 1; }
    bool crosswalk_busy(int crosswalk) const { return crosswalk_busy_[crosswalk] != 0; }

private:
    std::vector<std::vector<LaneSpan>> spans_;
    std::vector<std::vector<Reservation>> reservations_;
    std::vector<uint8_t> crosswalk_busy_;
};

}  // namespace rs
