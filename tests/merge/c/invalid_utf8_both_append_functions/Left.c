/* café menu */
int price(int item)
{
    return item * 3;
}

int tax(int price)
{
    return price / 5;
}
