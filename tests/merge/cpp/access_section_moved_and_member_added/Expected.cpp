class Account {
public:
    Account() = default;
<<<<<<< ours
private:
=======
    int limit() const;
>>>>>>> theirs
    int balance() const;
    void deposit(int amount);
};
