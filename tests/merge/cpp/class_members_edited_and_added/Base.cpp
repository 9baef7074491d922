#include <stdexcept>
#include <vector>

class Matrix {
public:
    Matrix(int rows, int cols) : m_rows(rows), m_cols(cols), m_data(rows * cols) {}

    double& at(int r, int c) { return m_data[r * m_cols + c]; }

    int rows() const { return m_rows; }

    int cols() const { return m_cols; }

private:
    int m_rows;
    int m_cols;
    std::vector<double> m_data;
};
