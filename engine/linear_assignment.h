// Optimal rectangular linear assignment (the problem scipy.optimize.linear_sum_assignment
// solves): given an n×m cost matrix, pick min(n, m) (row, column) pairs, each row and each column
// at most once, with the smallest total cost. Used by the detection training targets (Hungarian
// matching of queries to ground truth), where n = queries and m = boxes.
#pragma once

#include <cstdint>
#include <vector>

namespace rs {

struct LinearAssignment {
    std::vector<int64_t> row_to_col;  // size rows; -1 where the row is left unassigned
    std::vector<int64_t> col_to_row;  // size cols; -1 where the column is left unassigned
    double total_cost = 0;
};

// `cost` is row-major, rows × cols. Shortest augmenting paths with dual potentials
// (Jonker-Volgenant style Hungarian method), O(min² · max) time. Throws std::invalid_argument
// when the size does not match or a cost is NaN or infinite (naming its row and column).
// Among equally cheap assignments any one may be returned.
LinearAssignment linear_assignment(const std::vector<double> & cost, int64_t rows, int64_t cols);

}  // namespace rs
