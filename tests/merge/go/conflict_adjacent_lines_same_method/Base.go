package geom

import "math"

type Vec struct{ X, Y float64 }

func (v Vec) Len() float64 {
	return math.Hypot(v.X, v.Y)
}

func (v Vec) Unit() Vec {
	l := v.Len()
	x := v.X / l
	y := v.Y / l
	return Vec{x, y}
}
