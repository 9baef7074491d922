/* café menu */
int price(int item)
{
    return item * 3;
}

int tip(int price)
{
    return price / 10;
}
