// Intelligent Driver Model (Treiber et al.): longitudinal acceleration from the own speed, the
// desired speed and, if there is one, the gap to and speed of the object ahead.
#pragma once

namespace rs {

struct IdmParams {
    double desired_speed = 13.0;  // v0, m/s
    double time_headway = 1.5;    // T, s
    double min_gap = 2.0;         // s0, m
    double max_accel = 1.5;       // a, m/s^2
    double comfort_decel = 2.0;   // b, m/s^2
};

// Free-road term only (no leader).
double idm_free_accel(const IdmParams & p, double speed);
// Full IDM towards a leader `gap` metres ahead (bumper to bumper) moving at `leader_speed`.
double idm_accel(const IdmParams & p, double speed, double gap, double leader_speed);

}  // namespace rs
