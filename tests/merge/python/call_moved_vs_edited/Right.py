def load():
    return 1


def run():
    print(load())
    report()


def report():
    print("report")


run()
