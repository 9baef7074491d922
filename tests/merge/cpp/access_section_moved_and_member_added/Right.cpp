class Account {
public:
    Account() = default;
    int limit() const;
    int balance() const;
    void deposit(int amount);
};
