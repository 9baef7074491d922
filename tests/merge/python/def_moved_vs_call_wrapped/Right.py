def load():
    return 1


def run():
    print(load())


if __name__ == "__main__":
    run()


def report():
    print("report")
