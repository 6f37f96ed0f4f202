// The generated road graph: connected lanes, closed lanes never entered, sane geometry.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/road_network.h"

namespace rs {
namespace {

double gap(Vec2 a, Vec2 b) { return std::hypot(a.x - b.x, a.y - b.y); }

TEST(RoadNetwork, EveryOpenLaneLeadsSomewhereAndJoinsUp) {
    for (uint64_t seed = 1; seed <= 10; ++seed) {
        Rng rng(seed);
        std::vector<int> closed;
        RoadNetwork net = build_road_network(4, 2, rng, closed);
        EXPECT_FALSE(closed.empty());
        for (size_t i = 0; i < net.lanes.size(); ++i) {
            const Lane & l = net.lanes[i];
            if (l.blocked) continue;
            ASSERT_FALSE(l.next.empty()) << "seed " << seed << " lane " << i << " is a dead end";
            for (int n : l.next) {
                const Lane & m = net.lanes[n];
                EXPECT_FALSE(m.blocked) << "a route enters a closed lane";
                EXPECT_NE(l.connector, m.connector) << "road lanes and connectors alternate";
                EXPECT_LT(gap(l.path.points().back(), m.path.points().front()), 1e-9);
            }
        }
        for (int c : closed) EXPECT_TRUE(net.lanes[c].blocked);
    }
}

TEST(RoadNetwork, JunctionsHaveCrosswalksAndPedestrianPaths) {
    Rng rng(3);
    std::vector<int> closed;
    RoadNetwork net = build_road_network(4, 1, rng, closed);
    int signalised = 0, three_way = 0;
    for (const Node & n : net.nodes) {
        signalised += n.signalised;
        three_way += n.degree == 3;
        EXPECT_GE(n.degree, 2) << "no dead ends";
    }
    EXPECT_GT(signalised, 0);
    EXPECT_GT(three_way, 0) << "some T junctions";
    for (const Crosswalk & cw : net.crosswalks) {
        EXPECT_TRUE(net.nodes[cw.node].signalised);
        ASSERT_GE(cw.walk_edge, 0);
        EXPECT_EQ(net.sidewalk_edges[cw.walk_edge].crosswalk, &cw - net.crosswalks.data());
    }
    for (const auto & edges : net.corner_edges) EXPECT_GE(edges.size(), 2u) << "pedestrians never get stuck";
}

TEST(RoadNetwork, LanesAreParallelAndCurvesGentle) {
    Rng rng(8);
    std::vector<int> closed;
    RoadNetwork net = build_road_network(5, 2, rng, closed);
    int curved = 0, multi = 0;
    for (const Road & r : net.roads) {
        curved += r.curved;
        multi += r.lanes > 1;
        EXPECT_GE(r.lanes, 1);
        EXPECT_LE(r.lanes, 3);
        double k = r.centre.max_curvature();
        EXPECT_LT(k, 1.0 / 35.0) << "road radius " << 1 / k;
        for (size_t i = 1; i < r.forward.size(); ++i) {
            const Polyline & a = net.lanes[r.forward[i - 1]].path;
            Vec2 p = net.lanes[r.forward[i]].path.point_at(net.lanes[r.forward[i]].path.length() / 2);
            EXPECT_NEAR(a.project(p).distance, kLaneWidth, 0.05);
        }
    }
    EXPECT_GT(curved, 0);
    EXPECT_GT(multi, 0);
}

TEST(RoadNetwork, SameSeedSameNetwork) {
    Rng a(77), b(77);
    std::vector<int> ca, cb;
    RoadNetwork na = build_road_network(4, 2, a, ca), nb = build_road_network(4, 2, b, cb);
    ASSERT_EQ(na.lanes.size(), nb.lanes.size());
    EXPECT_EQ(ca, cb);
    for (size_t i = 0; i < na.lanes.size(); ++i) {
        ASSERT_EQ(na.lanes[i].path.points().size(), nb.lanes[i].path.points().size());
        for (size_t j = 0; j < na.lanes[i].path.points().size(); ++j) {
            EXPECT_EQ(na.lanes[i].path.points()[j].x, nb.lanes[i].path.points()[j].x);
            EXPECT_EQ(na.lanes[i].path.points()[j].y, nb.lanes[i].path.points()[j].y);
        }
    }
}

}  // namespace
}  // namespace rs
