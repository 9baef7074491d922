def load():
    return 1


def run():
    print(load())


raise SystemExit(run())


def report():
    print("report")
