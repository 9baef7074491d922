import argparse
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(prog="wc")
    p.add_argument("files", nargs="*")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for name in args.files:
        with open(name, encoding="utf-8") as f:
            print(name, sum(1 for _ in f))
    return 0


def count_words(path):
    with open(path, encoding="utf-8") as f:
        return sum(len(line.split()) for line in f)


if __name__ == "__main__":
    sys.exit(main())
