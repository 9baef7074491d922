import csv
import io


def load(text):
    return [parse_record(line) for line in io.StringIO(text) if line.strip()]


def dump(records):
    out = io.StringIO()
    writer = csv.writer(out)
    for r in records:
        writer.writerow([r["name"], *r["fields"]])
    return out.getvalue()


def parse_record(line):
    name, _, rest = line.strip().partition(",")
    fields = [f.strip() for f in rest.split(",") if f.strip()]
    return {"name": name.strip(), "fields": fields}
