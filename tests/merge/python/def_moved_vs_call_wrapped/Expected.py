def load():
    return 1


def run():
    print(load())
<<<<<<< ours
    report()
=======


if __name__ == "__main__":
    run()
>>>>>>> theirs


def report():
    print("report")


run()
