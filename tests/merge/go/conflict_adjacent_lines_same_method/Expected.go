package geom

import "math"

type Vec struct{ X, Y float64 }

func (v Vec) Len() float64 {
	return math.Hypot(v.X, v.Y)
}

func (v Vec) Unit() Vec {
<<<<<<< ours
	l := v.Len()
	if l == 0 {
		return Vec{}
	}
||||||| base
	l := v.Len()
=======
	l := math.Sqrt(v.X*v.X + v.Y*v.Y)
>>>>>>> theirs
	x := v.X / l
	y := v.Y / l
	return Vec{x, y}
}
