#include "engine/linear_assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace rs {

namespace {

// Solves the case n <= m on a cost accessor c(i, j), 0-based. Returns for each row its column.
template <class Cost>
std::vector<int64_t> assign_rows(int64_t n, int64_t m, Cost c) {
    const double inf = std::numeric_limits<double>::infinity();
    // Column index 0 is a virtual column that holds the row being inserted; real columns are
    // 1..m and rows 1..n, so the augmenting-path bookkeeping needs no special cases.
    std::vector<double> row_pot(size_t(n + 1), 0.0), col_pot(size_t(m + 1), 0.0);
    std::vector<int64_t> owner(size_t(m + 1), 0);  // row matched to each column, 0 = free
    std::vector<int64_t> prev(size_t(m + 1), 0);   // previous column on the shortest path
    std::vector<double> dist(size_t(m + 1));
    std::vector<char> done(size_t(m + 1));
    for (int64_t row = 1; row <= n; ++row) {
        owner[0] = row;
        int64_t col = 0;
        std::fill(dist.begin(), dist.end(), inf);
        std::fill(done.begin(), done.end(), 0);
        // Dijkstra over columns with reduced costs (non-negative thanks to the potentials) until
        // a free column is reached.
        do {
            done[size_t(col)] = 1;
            const int64_t i = owner[size_t(col)];
            double best = inf;
            int64_t best_col = -1;
            for (int64_t j = 1; j <= m; ++j) {
                if (done[size_t(j)]) continue;
                const double reduced = c(i - 1, j - 1) - row_pot[size_t(i)] - col_pot[size_t(j)];
                if (reduced < dist[size_t(j)]) {
                    dist[size_t(j)] = reduced;
                    prev[size_t(j)] = col;
                }
                if (dist[size_t(j)] < best) {
                    best = dist[size_t(j)];
                    best_col = j;
                }
            }
            // Shift the potentials so the tree's edges stay tight and the new column joins it.
            for (int64_t j = 0; j <= m; ++j) {
                if (done[size_t(j)]) {
                    row_pot[size_t(owner[size_t(j)])] += best;
                    col_pot[size_t(j)] -= best;
                } else {
                    dist[size_t(j)] -= best;
                }
            }
            col = best_col;
        } while (owner[size_t(col)] != 0);
        // Flip the matching along the path back to the virtual column.
        while (col != 0) {
            const int64_t back = prev[size_t(col)];
            owner[size_t(col)] = owner[size_t(back)];
            col = back;
        }
    }
    std::vector<int64_t> row_to_col(size_t(n), -1);
    for (int64_t j = 1; j <= m; ++j)
        if (owner[size_t(j)] != 0) row_to_col[size_t(owner[size_t(j)] - 1)] = j - 1;
    return row_to_col;
}

}  // namespace

LinearAssignment linear_assignment(const std::vector<double> & cost, int64_t rows, int64_t cols) {
    if (rows < 0 || cols < 0)
        throw std::invalid_argument("linear_assignment: negative size " + std::to_string(rows) + "x" + std::to_string(cols));
    if (uint64_t(cost.size()) != uint64_t(rows) * uint64_t(cols))
        throw std::invalid_argument("linear_assignment: cost has " + std::to_string(cost.size()) + " values, expected " +
                                    std::to_string(rows) + "x" + std::to_string(cols));
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            if (!std::isfinite(cost[size_t(i * cols + j)]))
                throw std::invalid_argument("linear_assignment: cost at row " + std::to_string(i) + ", col " + std::to_string(j) +
                                            " is not finite (" + std::to_string(cost[size_t(i * cols + j)]) + ")");

    LinearAssignment out;
    out.row_to_col.assign(size_t(rows), -1);
    out.col_to_row.assign(size_t(cols), -1);
    if (rows == 0 || cols == 0) return out;
    // The solver inserts the shorter side one by one; a tall matrix is solved transposed.
    if (rows <= cols) {
        out.row_to_col = assign_rows(rows, cols, [&](int64_t i, int64_t j) { return cost[size_t(i * cols + j)]; });
        for (int64_t i = 0; i < rows; ++i) out.col_to_row[size_t(out.row_to_col[size_t(i)])] = i;
    } else {
        out.col_to_row = assign_rows(cols, rows, [&](int64_t j, int64_t i) { return cost[size_t(i * cols + j)]; });
        for (int64_t j = 0; j < cols; ++j) out.row_to_col[size_t(out.col_to_row[size_t(j)])] = j;
    }
    for (int64_t i = 0; i < rows; ++i)
        if (out.row_to_col[size_t(i)] >= 0) out.total_cost += cost[size_t(i * cols + out.row_to_col[size_t(i)])];
    return out;
}

}  // namespace rs
