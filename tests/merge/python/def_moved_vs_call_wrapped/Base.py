def load():
    return 1


def run():
    print(load())


run()


def report():
    print("report")
