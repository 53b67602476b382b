"""Confluent's own Python client (the classic confluent_kafka.avro API) as an outside check of our wire format.

  read  BOOTSTRAP REGISTRY TOPIC COUNT        -> prints each Review as one JSON line
  write BOOTSTRAP REGISTRY TOPIC SCHEMA_FILE  <- JSON lines on stdin, one Review each

Run with Debian's /usr/bin/python3 (python3-confluent-kafka, python3-avro, python3-requests).
"""
import datetime
import json
import sys
import time

from confluent_kafka import avro
from confluent_kafka.avro import AvroConsumer, AvroProducer


def to_json(value):
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value


def read(bootstrap, registry, topic, count):
    consumer = AvroConsumer({
        "bootstrap.servers": bootstrap,
        "schema.registry.url": registry,
        "group.id": "python-interop",
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
    })
    consumer.subscribe([topic])
    seen, deadline = 0, time.time() + 60
    while seen < count and time.time() < deadline:
        message = consumer.poll(1.0)
        if message is None:
            continue
        if message.error():
            raise SystemExit("consumer error: %s" % message.error())
        record = {k: to_json(v) for k, v in message.value().items()}
        print(json.dumps(record, sort_keys=True), flush=True)
        seen += 1
    consumer.close()
    if seen < count:
        raise SystemExit("read %d of %d records before the deadline" % (seen, count))


def write(bootstrap, registry, topic, schema_file):
    with open(schema_file) as f:
        schema = avro.loads(f.read())
    producer = AvroProducer({"bootstrap.servers": bootstrap, "schema.registry.url": registry},
                            default_value_schema=schema)
    sent = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        record["eventTime"] = datetime.datetime.fromtimestamp(record["eventTime"] / 1000, tz=datetime.timezone.utc)
        producer.produce(topic=topic, value=record)
        sent += 1
    if producer.flush(30) != 0:
        raise SystemExit("messages still unsent after 30 s")
    print("sent %d" % sent, flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "read":
        read(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif mode == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        raise SystemExit("usage: read|write ...")
