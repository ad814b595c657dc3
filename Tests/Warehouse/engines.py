"""Loads the test data into an engine through a DB-API-like `execute`/`executemany` pair."""
import warehouse_data as data

UNIT_COLUMNS = ["member_id", "variant", "segment", "converted", "revenue", data.BASKET]


def unit_tuples(rows):
    return [tuple(row[c] for c in UNIT_COLUMNS) for row in rows]


def ddl(quote, text, double, integer, timestamp):
    """CREATE TABLE statements for the three tables, with the identifier quote and type names given."""
    q = lambda name: f"{quote}{name}{quote}"
    units = (f"CREATE TABLE units ({q('member_id')} {text}, {q('variant')} {text}, {q('segment')} {text}, "
             f"{q('converted')} {integer}, {q('revenue')} {double}, {q(data.BASKET)} {double})")
    exposures = (f"CREATE TABLE exposures (unit_id {text}, experiment_id {text}, variant {text}, segment {text}, "
                 f"exposed_at {timestamp}, definition_hash {text})")
    events = f"CREATE TABLE events (unit_id {text}, metric {text}, {q('value')} {double}, occurred_at {timestamp})"
    return units, exposures, events
