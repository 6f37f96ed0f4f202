#include "engine/road_network.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

constexpr double kCornerMargin = 3.0;    // intersection rectangle beyond the widest road: turning room
constexpr double kCrossNear = 0.2;       // crosswalk band, measured from the intersection edge
constexpr double kCrossFar = 3.2;
constexpr double kStopBack = 4.6;        // waiting fronts stop this far before the lane end
constexpr double kYieldBack = 2.5;       // same at unsignalised junctions (no crosswalk to keep clear)
constexpr double kLateralAccel = 2.5;    // comfortable cornering, m/s^2

struct GridEdge {
    int a, b;
    bool horizontal;
    bool removed = false;
};

bool grid_connected(int count, const std::vector<GridEdge> & edges) {
    std::vector<std::vector<int>> adj(count);
    for (const GridEdge & e : edges)
        if (!e.removed) { adj[e.a].push_back(e.b); adj[e.b].push_back(e.a); }
    std::vector<uint8_t> seen(count, 0);
    std::vector<int> stack{0};
    seen[0] = 1;
    int reached = 1;
    while (!stack.empty()) {
        int v = stack.back();
        stack.pop_back();
        for (int w : adj[v])
            if (!seen[w]) { seen[w] = 1; ++reached; stack.push_back(w); }
    }
    return reached == count;
}

double speed_limit_for(const Polyline & path) {
    double k = path.max_curvature();
    return k > 1e-4 ? std::sqrt(kLateralAccel / k) : 1e9;
}

std::vector<Vec2> road_centre_points(Vec2 p0, Vec2 d, Vec2 p3, bool curved, Rng & rng) {
    double chord = distance(p0, p3);
    std::vector<Vec2> pts = sample_bezier(p0, p0 + d * (chord / 3), p3 - d * (chord / 3), p3, 2.0);
    if (!curved) return pts;
    // A bow: a sideways offset b * sin^2(pi u) that leaves both ends along the arm. Its tightest
    // radius is about L^2 / (2 pi^2 b); keep it above ~45 m so long vehicles fit their lanes.
    double bulge = std::min(11.0, chord * chord / 890.0) * rng.uniform(0.6, 1.0) * (rng.chance(0.5) ? 1 : -1);
    Polyline base(pts);
    for (size_t i = 0; i < pts.size(); ++i) {
        double u = base.arc()[i] / base.length();
        double w = std::sin(kPi * u);
        pts[i] = base.points()[i] + left_of(base.tangent_at(base.arc()[i])) * (bulge * w * w);
    }
    return pts;
}

// Points of a polyline strictly inside [s0, s1] of its arc length.
std::vector<Vec2> inner_points(const Polyline & p, double s0, double s1) {
    std::vector<Vec2> out;
    for (size_t i = 0; i < p.points().size(); ++i)
        if (p.arc()[i] > s0 && p.arc()[i] < s1) out.push_back(p.points()[i]);
    return out;
}

void add_strip(RoadNetwork & net, const Polyline & inner, const Polyline & outer, GroundPiece::Kind kind,
               uint8_t faces, bool inner_is_right) {
    size_t n = std::min(inner.points().size(), outer.points().size());
    for (size_t i = 0; i + 1 < n; ++i) {
        GroundPiece g;
        g.kind = kind;
        g.side_faces = faces;
        const Polyline & r = inner_is_right ? inner : outer;
        const Polyline & l = inner_is_right ? outer : inner;
        g.v[0] = r.points()[i];
        g.v[1] = r.points()[i + 1];
        g.v[2] = l.points()[i + 1];
        g.v[3] = l.points()[i];
        net.ground.push_back(g);
    }
}

// Rectangle in an arm's frame: u along the arm, v to its left.
void add_arm_rect(RoadNetwork & net, const Node & node, int arm, double u0, double u1, double v0, double v1,
                  GroundPiece::Kind kind, uint8_t faces) {
    if (u1 - u0 < 1e-3 || v1 - v0 < 1e-3) return;
    Vec2 d = arm_direction(arm), l = left_of(d);
    GroundPiece g;
    g.kind = kind;
    g.side_faces = faces;
    g.v[0] = node.centre + d * u0 + l * v0;
    g.v[1] = node.centre + d * u1 + l * v0;
    g.v[2] = node.centre + d * u1 + l * v1;
    g.v[3] = node.centre + d * u0 + l * v1;
    net.ground.push_back(g);
}

void add_polyline_paint(RoadNetwork & net, const Polyline & p, double width, bool yellow) {
    for (size_t i = 0; i + 1 < p.points().size(); ++i)
        net.paint.push_back({p.points()[i], p.points()[i + 1], width, yellow, true});
}

void add_dashed_paint(RoadNetwork & net, const Polyline & p) {
    for (double s = 1.0; s + 3.0 < p.length(); s += 9.0)
        net.paint.push_back({p.point_at(s), p.point_at(s + 3.0), 0.15, false, true});
}

int make_connector(RoadNetwork & net, int node_id, int in_lane, int out_lane, int arm_in, int arm_out, int turn) {
    const Polyline & a = net.lanes[in_lane].path;
    const Polyline & b = net.lanes[out_lane].path;
    Vec2 p0 = a.points().back(), p3 = b.points().front();
    Vec2 t0 = a.tangent_at(a.length()), t3 = b.tangent_at(0);
    double chord = distance(p0, p3);
    double handle = turn == 0 ? chord / 3 : chord * 0.4;  // 0.4 chord ~ a circular quarter turn
    Lane c;
    c.path = Polyline(sample_bezier(p0, p0 + t0 * handle, p3 - t3 * handle, p3, 1.0));
    c.connector = true;
    c.node = c.start_node = c.end_node = node_id;
    c.arm_in = arm_in;
    c.arm_out = arm_out;
    c.turn = turn;
    c.from_lane = in_lane;
    c.next = {out_lane};
    c.speed_limit = std::clamp(speed_limit_for(c.path), 3.0, 1e9);
    int id = int(net.lanes.size());
    net.lanes.push_back(std::move(c));
    net.lanes[in_lane].next.push_back(id);
    net.nodes[node_id].connectors.push_back(id);
    return id;
}

void build_connectors(RoadNetwork & net, int node_id) {
    Node & node = net.nodes[node_id];
    for (int a = 0; a < 4; ++a) {
        std::vector<int> in_ok;
        for (int l : node.arms[a].in_lanes)
            if (!net.lanes[l].blocked) in_ok.push_back(l);
        if (in_ok.empty()) continue;
        std::vector<int> linked(in_ok.size(), 0);
        auto out_ok = [&](int b) {
            std::vector<int> r;
            for (int l : node.arms[b].out_lanes)
                if (!net.lanes[l].blocked) r.push_back(l);
            return r;
        };
        int straight = (a + 2) % 4, left = (a + 3) % 4, right = (a + 1) % 4;
        int n = int(in_ok.size());
        std::vector<int> outs = out_ok(straight);
        for (int k = 0; k < n && k < int(outs.size()); ++k) {
            make_connector(net, node_id, in_ok[k], outs[k], a, straight, 0);
            linked[k] = 1;
        }
        outs = out_ok(left);
        if (!outs.empty()) { make_connector(net, node_id, in_ok[0], outs[0], a, left, 1); linked[0] = 1; }
        outs = out_ok(right);
        if (!outs.empty()) {
            make_connector(net, node_id, in_ok[n - 1], outs.back(), a, right, -1);
            linked[n - 1] = 1;
        }
        // Lanes the usual rules leave without a way on (a bend, fewer lanes ahead) follow the
        // first available direction into the nearest matching lane.
        for (int k = 0; k < n; ++k) {
            if (linked[k]) continue;
            const int options[3][2] = {{straight, 0}, {right, -1}, {left, 1}};
            for (const auto & opt : options) {
                outs = out_ok(opt[0]);
                if (outs.empty()) continue;
                make_connector(net, node_id, in_ok[k], outs[std::min(k, int(outs.size()) - 1)], a, opt[0], opt[1]);
                break;
            }
        }
    }
}

// Arc length along `b` from which it stays at least `clearance` away from `a`.
double separation_along(const Polyline & a, const Polyline & b, double clearance) {
    const std::vector<Vec2> & pts = b.points();
    for (size_t i = pts.size(); i-- > 0;)
        if (a.project(pts[i]).distance < clearance) return i + 1 < pts.size() ? b.arc()[i + 1] : b.length();
    return 0.0;
}

double min_sample_distance(const Polyline & a, const Polyline & b) {
    double best = 1e18;
    for (const Vec2 & p : a.points())
        for (const Vec2 & q : b.points()) best = std::min(best, distance(p, q));
    return best;
}

}  // namespace

Vec2 arm_direction(int arm) {
    static const Vec2 dirs[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    return dirs[arm & 3];
}

Vec2 Node::corner(int q) const {
    double sx = (q == 0 || q == 3) ? 1 : -1;
    double sy = q < 2 ? 1 : -1;
    double c = 0.5 * (kCrossNear + kCrossFar);
    return {centre.x + sx * (hx + c), centre.y + sy * (hy + c)};
}

bool RoadNetwork::near_street(Vec2 p, double margin) const {
    for (const Node & n : nodes) {
        Vec2 d = p - n.centre;
        if (std::fabs(d.x) < n.hx + kSidewalkWidth + margin && std::fabs(d.y) < n.hy + kSidewalkWidth + margin)
            return true;
    }
    for (const Road & r : roads)
        if (r.centre.project(p).distance < r.half_width + kSidewalkWidth + margin) return true;
    return false;
}

bool RoadNetwork::connectors_conflict(int a, int b) const {
    const Lane & la = lanes[a];
    const Lane & lb = lanes[b];
    if (la.node != lb.node || la.node < 0) return false;
    return conflicts[la.node][connector_slot[a]][connector_slot[b]] != 0;
}

RoadNetwork build_road_network(int blocks, int closures, Rng & rng, std::vector<int> & closed_lanes) {
    RoadNetwork net;
    int n = std::max(2, blocks);

    // Grid lines with varied block lengths, then jittered intersections.
    std::vector<double> xs(n), ys(n);
    for (int i = 1; i < n; ++i) xs[i] = xs[i - 1] + rng.uniform(65.0, 115.0);
    for (int i = 1; i < n; ++i) ys[i] = ys[i - 1] + rng.uniform(65.0, 115.0);
    net.nodes.resize(n * n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            net.nodes[j * n + i].centre = {xs[i] + rng.uniform(-4.0, 4.0), ys[j] + rng.uniform(-4.0, 4.0)};

    std::vector<GridEdge> edges;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i + 1 < n; ++i) edges.push_back({j * n + i, j * n + i + 1, true});
    for (int i = 0; i < n; ++i)
        for (int j = 0; j + 1 < n; ++j) edges.push_back({j * n + i, (j + 1) * n + i, false});
    std::vector<int> degree(n * n, 0);
    for (const GridEdge & e : edges) { ++degree[e.a]; ++degree[e.b]; }

    // Remove some edges to make T junctions and bends; never a dead end, never a split town.
    std::vector<int> order(edges.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
    for (int i = int(order.size()) - 1; i > 0; --i) std::swap(order[i], order[rng.range(0, i + 1)]);
    for (int idx : order) {
        GridEdge & e = edges[idx];
        if (!rng.chance(0.15) || degree[e.a] < 3 || degree[e.b] < 3) continue;
        e.removed = true;
        if (!grid_connected(n * n, edges)) { e.removed = false; continue; }
        --degree[e.a];
        --degree[e.b];
    }

    for (const GridEdge & e : edges) {
        if (e.removed) continue;
        Road r;
        r.node_a = e.a;
        r.node_b = e.b;
        r.arm_a = e.horizontal ? 0 : 1;
        r.arm_b = e.horizontal ? 2 : 3;
        double u = rng.uniform();
        r.lanes = u < 0.45 ? 1 : (u < 0.85 ? 2 : 3);
        r.parking = r.lanes <= 2 && rng.chance(0.55);
        r.curved = rng.chance(0.3);
        net.roads.push_back(r);
    }
    // Work zones close one lane of a multi-lane road; make sure such roads exist.
    int multi = 0;
    for (const Road & r : net.roads) multi += r.lanes >= 2;
    for (Road & r : net.roads)
        if (multi < closures && r.lanes == 1) { r.lanes = 2; r.parking = false; ++multi; }

    for (size_t ri = 0; ri < net.roads.size(); ++ri) {
        Road & r = net.roads[ri];
        r.lanes_half_width = r.lanes * kLaneWidth;
        r.half_width = r.lanes_half_width + (r.parking ? kParkingWidth : 0.5);
        for (int end = 0; end < 2; ++end) {
            Node & node = net.nodes[end == 0 ? r.node_a : r.node_b];
            ArmInfo & arm = node.arms[end == 0 ? r.arm_a : r.arm_b];
            arm.road = int(ri);
            arm.half_width = r.half_width;
            ++node.degree;
        }
    }
    for (Node & node : net.nodes) {
        double ns = std::max(node.arms[1].half_width, node.arms[3].half_width);
        double ew = std::max(node.arms[0].half_width, node.arms[2].half_width);
        node.hx = (ns > 0 ? ns : 2.0) + kCornerMargin;
        node.hy = (ew > 0 ? ew : 2.0) + kCornerMargin;
        node.signalised = node.degree >= 3;
    }

    // Centre lines and road lanes.
    for (size_t ri = 0; ri < net.roads.size(); ++ri) {
        Road & r = net.roads[ri];
        const Node & a = net.nodes[r.node_a];
        const Node & b = net.nodes[r.node_b];
        Vec2 d = arm_direction(r.arm_a);
        Vec2 p0 = a.centre + d * a.half_extent(r.arm_a);
        Vec2 p3 = b.centre + arm_direction(r.arm_b) * b.half_extent(r.arm_b);
        r.centre = Polyline(road_centre_points(p0, d, p3, r.curved, rng));
        for (int k = 0; k < r.lanes; ++k) {
            for (int dir = 0; dir < 2; ++dir) {
                Lane lane;
                double off = (k + 0.5) * kLaneWidth;
                lane.path = dir == 0 ? r.centre.offset(-off) : r.centre.offset(off).reversed();
                lane.road = int(ri);
                lane.index = k;
                lane.start_node = dir == 0 ? r.node_a : r.node_b;
                lane.end_node = dir == 0 ? r.node_b : r.node_a;
                lane.arm_in = dir == 0 ? r.arm_b : r.arm_a;
                lane.speed_limit = speed_limit_for(lane.path);
                lane.stop_line = net.nodes[lane.end_node].signalised;
                lane.gate_s = lane.path.length() - (lane.stop_line ? kStopBack : kYieldBack);
                int id = int(net.lanes.size());
                net.lanes.push_back(std::move(lane));
                (dir == 0 ? r.forward : r.backward).push_back(id);
                int start_arm = dir == 0 ? r.arm_a : r.arm_b;
                net.nodes[net.lanes[id].start_node].arms[start_arm].out_lanes.push_back(id);
                net.nodes[net.lanes[id].end_node].arms[net.lanes[id].arm_in].in_lanes.push_back(id);
            }
        }
    }

    // Work-zone closures: the kerb-side lane of one direction of a multi-lane road.
    std::vector<int> candidates;
    for (size_t ri = 0; ri < net.roads.size(); ++ri)
        if (net.roads[ri].lanes >= 2) candidates.push_back(int(ri));
    for (int c = 0; c < closures && !candidates.empty(); ++c) {
        int pick = rng.range(0, int(candidates.size()));
        const Road & r = net.roads[candidates[pick]];
        int lane = rng.chance(0.5) ? r.forward.back() : r.backward.back();
        net.lanes[lane].blocked = true;
        closed_lanes.push_back(lane);
        candidates.erase(candidates.begin() + pick);
    }

    for (size_t ni = 0; ni < net.nodes.size(); ++ni) build_connectors(net, int(ni));

    net.connector_slot.assign(net.lanes.size(), -1);
    net.conflicts.resize(net.nodes.size());
    for (size_t ni = 0; ni < net.nodes.size(); ++ni) {
        const std::vector<int> & cs = net.nodes[ni].connectors;
        auto & m = net.conflicts[ni];
        m.assign(cs.size(), std::vector<uint8_t>(cs.size(), 0));
        for (size_t i = 0; i < cs.size(); ++i) {
            net.connector_slot[cs[i]] = int(i);
            for (size_t j = 0; j < i; ++j) {
                const Lane & a = net.lanes[cs[i]];
                const Lane & b = net.lanes[cs[j]];
                bool conflict;
                if (a.from_lane == b.from_lane) {
                    // One queue: car following handles it, including along the shared start.
                    conflict = false;
                    net.lanes[cs[i]].siblings.push_back({cs[j], separation_along(a.path, b.path, 3.5)});
                    net.lanes[cs[j]].siblings.push_back({cs[i], separation_along(b.path, a.path, 3.5)});
                }
                else if (a.next[0] == b.next[0]) conflict = true;  // merge
                else {
                    // Long vehicles sweep wide in turns: give turning paths more room.
                    double clearance = a.turn == 0 && b.turn == 0 ? 2.8 : 4.2;
                    conflict = min_sample_distance(a.path, b.path) < clearance;
                }
                m[i][j] = m[j][i] = conflict;
            }
        }
    }

    // Crosswalks on every arm of signalised junctions.
    for (size_t ni = 0; ni < net.nodes.size(); ++ni) {
        Node & node = net.nodes[ni];
        if (!node.signalised) continue;
        for (int a = 0; a < 4; ++a) {
            ArmInfo & arm = node.arms[a];
            if (arm.road < 0) continue;
            Crosswalk cw;
            cw.node = int(ni);
            cw.arm = a;
            Vec2 d = arm_direction(a), l = left_of(d);
            double h = node.half_extent(a), w = arm.half_width;
            cw.quad[0] = node.centre + d * (h + kCrossNear) - l * w;
            cw.quad[1] = node.centre + d * (h + kCrossFar) - l * w;
            cw.quad[2] = node.centre + d * (h + kCrossFar) + l * w;
            cw.quad[3] = node.centre + d * (h + kCrossNear) + l * w;
            int id = int(net.crosswalks.size());
            arm.crosswalk = id;
            for (int lane : arm.in_lanes) {
                double len = net.lanes[lane].path.length();
                net.lanes[lane].crossings.push_back({id, len - kCrossFar, len - kCrossNear});
                cw.watches.push_back({lane, len - kCrossFar, len - kCrossNear});
            }
            for (int lane : arm.out_lanes) {
                net.lanes[lane].crossings.push_back({id, kCrossNear, kCrossFar});
                cw.watches.push_back({lane, kCrossNear, kCrossFar});
                for (int c : node.connectors) {
                    if (net.lanes[c].next[0] != lane) continue;
                    double len = net.lanes[c].path.length();
                    net.lanes[c].crossings.push_back({id, len + kCrossNear, len + kCrossFar});
                    cw.watches.push_back({c, len + kCrossNear, len + kCrossFar});
                }
            }
            net.crosswalks.push_back(cw);
            GroundPiece g;
            g.kind = GroundPiece::crosswalk;
            for (int i = 0; i < 4; ++i) g.v[i] = cw.quad[i];
            net.ground.push_back(g);
            for (double v = -w + 0.6; v < w - 0.3; v += 1.0)
                net.paint.push_back({node.centre + d * (h + kCrossNear + 0.2) + l * v,
                                     node.centre + d * (h + kCrossFar - 0.2) + l * v, 0.5, false, false});
        }
    }

    // Pedestrian graph: sidewalks along roads, ring pieces on closed sides, crosswalks.
    net.corner_edges.assign(net.nodes.size() * 4, {});
    auto add_edge = [&](SidewalkEdge e) {
        int id = int(net.sidewalk_edges.size());
        net.corner_edges[e.from].push_back(id);
        net.corner_edges[e.to].push_back(id);
        net.sidewalk_edges.push_back(std::move(e));
        return id;
    };
    for (const Road & r : net.roads) {
        const Node & a = net.nodes[r.node_a];
        const Node & b = net.nodes[r.node_b];
        double off = r.half_width + kSidewalkWidth / 2;
        for (int side = 0; side < 2; ++side) {
            Polyline line = r.centre.offset(side == 0 ? off : -off);
            int qa = side == 0 ? r.arm_a : (r.arm_a + 3) % 4;
            int qb = side == 0 ? (r.arm_b + 3) % 4 : r.arm_b;
            std::vector<Vec2> pts{a.corner(qa)};
            std::vector<Vec2> mid = inner_points(line, 3.0, line.length() - 3.0);
            pts.insert(pts.end(), mid.begin(), mid.end());
            pts.push_back(b.corner(qb));
            SidewalkEdge e;
            e.path = Polyline(std::move(pts));
            e.from = r.node_a * 4 + qa;
            e.to = r.node_b * 4 + qb;
            add_edge(std::move(e));
        }
    }
    for (size_t ni = 0; ni < net.nodes.size(); ++ni) {
        const Node & node = net.nodes[ni];
        for (int a = 0; a < 4; ++a) {
            const ArmInfo & arm = node.arms[a];
            if (arm.road >= 0 && !node.signalised) continue;  // quiet bends: walk round by the roads
            SidewalkEdge e;
            int qa = a, qb = (a + 3) % 4;
            e.path = Polyline({node.corner(qa), node.corner(qb)});
            e.from = int(ni) * 4 + qa;
            e.to = int(ni) * 4 + qb;
            if (arm.road >= 0) {
                e.crosswalk = arm.crosswalk;
                double half = e.path.length() / 2;
                e.road_s0 = half - arm.half_width;
                e.road_s1 = half + arm.half_width;
            }
            int id = add_edge(std::move(e));
            if (arm.road >= 0) net.crosswalks[arm.crosswalk].walk_edge = id;
        }
    }

    // Ground: carriageways, intersection rectangles, sidewalks (kerb and back faces).
    for (const Road & r : net.roads) {
        add_strip(net, r.centre.offset(-r.half_width), r.centre.offset(r.half_width), GroundPiece::road, 0, true);
        for (int side = 0; side < 2; ++side) {
            double s = side == 0 ? 1 : -1;
            Polyline inner = r.centre.offset(s * r.half_width);
            Polyline outer = r.centre.offset(s * (r.half_width + kSidewalkWidth));
            add_strip(net, inner, outer, GroundPiece::sidewalk, 0x5, side == 1);
        }
    }
    for (const Node & node : net.nodes) {
        GroundPiece g;
        g.kind = GroundPiece::intersection;
        g.v[0] = {node.centre.x - node.hx, node.centre.y - node.hy};
        g.v[1] = {node.centre.x + node.hx, node.centre.y - node.hy};
        g.v[2] = {node.centre.x + node.hx, node.centre.y + node.hy};
        g.v[3] = {node.centre.x - node.hx, node.centre.y + node.hy};
        net.ground.push_back(g);
        for (int a = 0; a < 4; ++a) {
            double h = node.half_extent(a), hp = node.half_extent(a + 1);
            const double S = kSidewalkWidth;
            add_arm_rect(net, node, a, h, h + S, hp, hp + S, GroundPiece::sidewalk, 0xF);  // corner
            const ArmInfo & arm = node.arms[a];
            if (arm.road < 0) {
                add_arm_rect(net, node, a, h, h + S, -hp, hp, GroundPiece::sidewalk, 0xF);
            } else {
                add_arm_rect(net, node, a, h, h + S, arm.half_width, hp, GroundPiece::sidewalk, 0xF);
                add_arm_rect(net, node, a, h, h + S, -hp, -arm.half_width, GroundPiece::sidewalk, 0xF);
            }
        }
    }

    // Paint: double yellow centre, dashed dividers, solid edge lines, stop lines.
    for (const Road & r : net.roads) {
        add_polyline_paint(net, r.centre.offset(0.15), 0.12, true);
        add_polyline_paint(net, r.centre.offset(-0.15), 0.12, true);
        for (int side = 0; side < 2; ++side) {
            double s = side == 0 ? 1 : -1;
            for (int k = 1; k < r.lanes; ++k) add_dashed_paint(net, r.centre.offset(s * k * kLaneWidth));
            add_polyline_paint(net, r.centre.offset(s * (r.lanes_half_width - 0.1)), 0.15, false);
        }
    }
    for (const Lane & lane : net.lanes) {
        if (!lane.stop_line) continue;
        double s = lane.gate_s + 0.4;
        Vec2 p = lane.path.point_at(s), l = left_of(lane.path.tangent_at(s)) * (kLaneWidth / 2);
        net.paint.push_back({p + l, p - l, 0.4, false, true});
    }

    Vec2 lo{1e18, 1e18}, hi{-1e18, -1e18};
    for (const GroundPiece & g : net.ground)
        for (const Vec2 & v : g.v) {
            lo = {std::min(lo.x, v.x), std::min(lo.y, v.y)};
            hi = {std::max(hi.x, v.x), std::max(hi.y, v.y)};
        }
    net.bounds_min = lo - Vec2{45, 45};
    net.bounds_max = hi + Vec2{45, 45};
    return net;
}

}  // namespace rs
