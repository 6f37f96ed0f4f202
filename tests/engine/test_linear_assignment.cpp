#include "engine/linear_assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace rs {
namespace {

// Every row/column used at most once, the two maps agree, min(n, m) pairs, total recomputed.
void expect_valid(const LinearAssignment & a, const std::vector<double> & cost, int64_t rows, int64_t cols) {
    ASSERT_EQ(int64_t(a.row_to_col.size()), rows);
    ASSERT_EQ(int64_t(a.col_to_row.size()), cols);
    int64_t pairs = 0;
    double total = 0;
    for (int64_t i = 0; i < rows; ++i) {
        const int64_t j = a.row_to_col[size_t(i)];
        if (j < 0) continue;
        ASSERT_LT(j, cols);
        EXPECT_EQ(a.col_to_row[size_t(j)], i);
        total += cost[size_t(i * cols + j)];
        ++pairs;
    }
    EXPECT_EQ(pairs, std::min(rows, cols));
    EXPECT_EQ(std::count_if(a.col_to_row.begin(), a.col_to_row.end(), [](int64_t r) { return r >= 0; }), pairs);
    EXPECT_NEAR(a.total_cost, total, 1e-9);
}

// Minimum over all injections of the shorter side into the longer one.
double brute_force_min(const std::vector<double> & cost, int64_t rows, int64_t cols) {
    const bool tall = rows > cols;
    const int64_t small = tall ? cols : rows, large = tall ? rows : cols;
    std::vector<int64_t> perm(static_cast<size_t>(large));
    std::iota(perm.begin(), perm.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    // Every permutation of the long side; its first `small` entries are the partners.
    do {
        double total = 0;
        for (int64_t k = 0; k < small; ++k)
            total += tall ? cost[size_t(perm[size_t(k)] * cols + k)] : cost[size_t(k * cols + perm[size_t(k)])];
        best = std::min(best, total);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best;
}

TEST(LinearAssignment, ThreeByThreeByHand) {
    // The diagonal costs 4+5+3 = 12; the optimum 0->1 (1), 1->0 (2), 2->2 (2) costs 5.
    const std::vector<double> cost = {4, 1, 3,  //
                                      2, 5, 6,  //
                                      3, 2, 2};
    LinearAssignment a = linear_assignment(cost, 3, 3);
    expect_valid(a, cost, 3, 3);
    EXPECT_EQ(a.row_to_col, (std::vector<int64_t>{1, 0, 2}));
    EXPECT_DOUBLE_EQ(a.total_cost, 5);
}

TEST(LinearAssignment, WideMatrixLeavesColumnsFree) {
    // 2 rows, 4 columns: row 0 wants col 3 (0.5), row 1 wants col 1 (1); cols 0 and 2 stay free.
    const std::vector<double> cost = {9, 8, 7, 0.5,  //
                                      9, 1, 7, 6};
    LinearAssignment a = linear_assignment(cost, 2, 4);
    expect_valid(a, cost, 2, 4);
    EXPECT_EQ(a.row_to_col, (std::vector<int64_t>{3, 1}));
    EXPECT_EQ(a.col_to_row, (std::vector<int64_t>{-1, 1, -1, 0}));
    EXPECT_DOUBLE_EQ(a.total_cost, 1.5);
}

TEST(LinearAssignment, TallMatrixLeavesRowsFree) {
    // 4 rows, 2 columns; greedy would give col 0 to row 1 (0) and then col 1 to row 1's rival
    // at 10, while the optimum is row 2 -> col 0 (1) and row 1 -> col 1 (1).
    const std::vector<double> cost = {5, 10,  //
                                      0, 1,   //
                                      1, 10,  //
                                      7, 12};
    LinearAssignment a = linear_assignment(cost, 4, 2);
    expect_valid(a, cost, 4, 2);
    EXPECT_EQ(a.row_to_col, (std::vector<int64_t>{-1, 1, 0, -1}));
    EXPECT_DOUBLE_EQ(a.total_cost, 2);
}

TEST(LinearAssignment, TiesGiveAnOptimalAssignment) {
    // All-equal costs: any perfect matching is optimal. With negative entries that tie too.
    const std::vector<double> flat(9, 2.0);
    LinearAssignment a = linear_assignment(flat, 3, 3);
    expect_valid(a, flat, 3, 3);
    EXPECT_DOUBLE_EQ(a.total_cost, 6);
    const std::vector<double> ties = {-1, -1, 0,  //
                                      -1, -1, 0,  //
                                      0, 0, -1};
    LinearAssignment b = linear_assignment(ties, 3, 3);
    expect_valid(b, ties, 3, 3);
    EXPECT_DOUBLE_EQ(b.total_cost, -3);
    EXPECT_EQ(b.row_to_col[2], 2);
}

TEST(LinearAssignment, EmptyMatrices) {
    for (auto [r, c] : {std::pair<int64_t, int64_t>{0, 0}, {0, 5}, {5, 0}}) {
        LinearAssignment a = linear_assignment({}, r, c);
        EXPECT_EQ(int64_t(a.row_to_col.size()), r);
        EXPECT_EQ(int64_t(a.col_to_row.size()), c);
        EXPECT_TRUE(std::all_of(a.row_to_col.begin(), a.row_to_col.end(), [](int64_t j) { return j == -1; }));
        EXPECT_TRUE(std::all_of(a.col_to_row.begin(), a.col_to_row.end(), [](int64_t i) { return i == -1; }));
        EXPECT_EQ(a.total_cost, 0);
    }
}

TEST(LinearAssignment, MatchesBruteForceOnRandomMatrices) {
    std::mt19937_64 rng(1234);
    std::uniform_int_distribution<int> size(1, 6);
    std::uniform_real_distribution<double> value(-5, 20);
    std::uniform_int_distribution<int> small_int(0, 3);  // many ties
    for (int trial = 0; trial < 200; ++trial) {
        const int64_t rows = size(rng), cols = size(rng);
        std::vector<double> cost(size_t(rows * cols));
        for (double & c : cost) c = trial % 3 == 0 ? double(small_int(rng)) : value(rng);
        LinearAssignment a = linear_assignment(cost, rows, cols);
        SCOPED_TRACE("trial " + std::to_string(trial) + " " + std::to_string(rows) + "x" + std::to_string(cols));
        expect_valid(a, cost, rows, cols);
        EXPECT_NEAR(a.total_cost, brute_force_min(cost, rows, cols), 1e-9);
    }
}

TEST(LinearAssignment, QueriesByBoxesIsFast) {
    // The detection shape: 900 queries, 40 boxes. Box k is cheapest for query 20k + 3.
    const int64_t rows = 900, cols = 40;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> value(1, 2);
    std::vector<double> cost(size_t(rows * cols));
    for (double & c : cost) c = value(rng);
    for (int64_t k = 0; k < cols; ++k) cost[size_t((20 * k + 3) * cols + k)] = 0;
    const auto start = std::chrono::steady_clock::now();
    LinearAssignment a = linear_assignment(cost, rows, cols);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    expect_valid(a, cost, rows, cols);
    for (int64_t k = 0; k < cols; ++k) EXPECT_EQ(a.col_to_row[size_t(k)], 20 * k + 3);
    EXPECT_DOUBLE_EQ(a.total_cost, 0);
    EXPECT_LT(seconds, 0.5);
}

TEST(LinearAssignment, RejectsBadInput) {
    std::vector<double> cost = {1, 2, 3, 4, 5, 6};
    cost[4] = std::numeric_limits<double>::quiet_NaN();
    try {
        linear_assignment(cost, 2, 3);
        FAIL() << "NaN accepted";
    } catch (const std::invalid_argument & e) {
        EXPECT_NE(std::string(e.what()).find("row 1, col 1"), std::string::npos) << e.what();
    }
    cost[4] = std::numeric_limits<double>::infinity();
    EXPECT_THROW(linear_assignment(cost, 2, 3), std::invalid_argument);
    cost[4] = -std::numeric_limits<double>::infinity();
    EXPECT_THROW(linear_assignment(cost, 2, 3), std::invalid_argument);
    EXPECT_THROW(linear_assignment({1, 2, 3}, 2, 2), std::invalid_argument);
    EXPECT_THROW(linear_assignment({}, -1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace rs
