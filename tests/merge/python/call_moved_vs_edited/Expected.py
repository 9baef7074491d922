def load():
    return 1


def run():
    print(load())
<<<<<<< ours


raise SystemExit(run())
=======
    report()
>>>>>>> theirs


def report():
    print("report")


run()
