struct rect {
	int w, h;
};

int area(const struct rect *r)
{
    return r->w * r->h;
}
int perimeter(const struct rect *r)
{
	return 2 * (r->w + r->h);
}
