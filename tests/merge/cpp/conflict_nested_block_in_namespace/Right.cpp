#include <vector>

namespace geo {

class Path {
public:
    double length() const {
        double total = 0;
        for (size_t i = 1; i < points_.size(); ++i) {
            if (points_[i].valid) {
                total += euclid(points_[i - 1], points_[i]);
            }
        }
        return total;
    }

private:
    std::vector<Point> points_;
};

}  // namespace geo
