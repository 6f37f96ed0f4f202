// Who is where on the lane graph this step: the stretch of each lane every vehicle covers, the
// intersection connectors vehicles have reserved or are queueing for, and which crosswalks have
// people on them.
// Rebuilt at the start of every step; read by car following, gap acceptance and pedestrians.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/geometry.h"

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

// A vehicle waiting at a junction for conflicting traffic to clear: first come, first served.
struct Claim {
    int connector = -1;
    uint32_t owner = 0;
    double since = 0;  // when it started waiting
};

struct CrosswalkPerson {
    Vec2 position, velocity;
};

class LaneOccupancy {
public:
    void reset(size_t lanes, size_t nodes, size_t crosswalks);
    void add_span(int lane, const LaneSpan & span) { spans_[lane].push_back(span); }
    const std::vector<LaneSpan> & spans(int lane) const { return spans_[lane]; }
    void reserve(int node, int connector, uint32_t owner) { reservations_[node].push_back({connector, owner}); }
    const std::vector<Reservation> & reservations(int node) const { return reservations_[node]; }
    void claim(int node, const Claim & c) { claims_[node].push_back(c); }
    const std::vector<Claim> & claims(int node) const { return claims_[node]; }
    void add_crosswalk_person(int crosswalk, const CrosswalkPerson & p) { crossing_[crosswalk].push_back(p); }
    const std::vector<CrosswalkPerson> & crosswalk_people(int crosswalk) const { return crossing_[crosswalk]; }

private:
    std::vector<std::vector<LaneSpan>> spans_;
    std::vector<std::vector<Reservation>> reservations_;
    std::vector<std::vector<Claim>> claims_;
    std::vector<std::vector<CrosswalkPerson>> crossing_;
};

}  // namespace rs
