package legacy

<<<<<<< ours
=======
func OldHash(s string) uint32 {
	var h uint32
	for i := 0; i < len(s); i++ {
		h = h*37 + uint32(s[i])
	}
	return h
}

>>>>>>> theirs
func Hash(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
