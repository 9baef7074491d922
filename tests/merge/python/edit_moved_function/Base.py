import csv
import io


def parse_record(line):
    name, _, rest = line.partition(",")
    return {"name": name, "fields": rest.split(",")}


def load(text):
    return [parse_record(line) for line in io.StringIO(text) if line.strip()]


def dump(records):
    out = io.StringIO()
    writer = csv.writer(out)
    for r in records:
        writer.writerow([r["name"], *r["fields"]])
    return out.getvalue()
