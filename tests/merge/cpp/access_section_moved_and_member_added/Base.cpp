class Account {
public:
    Account() = default;
    int balance() const;
    void deposit(int amount);
};
