/* café menu */
int price(int item)
{
    return item * 3;
}

<<<<<<< ours
int tax(int price)
{
    return price / 5;
=======
int tip(int price)
{
    return price / 10;
>>>>>>> theirs
}
