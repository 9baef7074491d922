/* café menu */
int price(int item)
{
    return item * 3;
}
