class Account {
public:
    Account() = default;
private:
    int balance() const;
    void deposit(int amount);
};
