"""The local customer-event bus on moto (scripts/dev.sh starts moto).

    events.py setup    the bus, an SQS queue and a catch-all rule from one to
                       the other (idempotent; moto keeps nothing across restarts)
    events.py print    prints the events in the queue as JSON, oldest first,
                       and takes them off it; --follow keeps waiting for more,
                       --compact prints one line per event

Run with moto's virtualenv (.local/moto/bin/python: boto3 comes with moto).
Endpoint, bus and queue from the environment: MOTO_PORT (8010),
EVENT_BUS_NAME (customers), EVENTS_QUEUE (customer-events).
"""

import json
import os
import sys

import boto3

# Every event on the bus: a pattern matching any source (valid on AWS too).
CATCH_ALL = '{"source":[{"prefix":""}]}'
# The whole event as the message body (moto's default body for a target is
# built by text substitution and mangles some details).
WHOLE_EVENT = "<aws.events.event.json>"


def clients():
    options = {
        "endpoint_url": f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '8010')}",
        "region_name": os.environ.get("AWS_REGION", "us-east-1"),
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    return boto3.client("events", **options), boto3.client("sqs", **options)


def names():
    return os.environ.get("EVENT_BUS_NAME", "customers"), os.environ.get("EVENTS_QUEUE", "customer-events")


def setup():
    events, sqs = clients()
    bus, queue = names()
    try:
        events.create_event_bus(Name=bus)
    except events.exceptions.ResourceAlreadyExistsException:
        pass
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"{queue}-all"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=CATCH_ALL)
    answer = events.put_targets(
        Rule=rule,
        EventBusName=bus,
        Targets=[{"Id": "queue", "Arn": arn, "InputTransformer": {"InputTemplate": WHOLE_EVENT}}],
    )
    if answer.get("FailedEntryCount"):
        sys.exit(f"the queue was not made the rule's target: {answer.get('FailedEntries')}")
    print(f"event bus {bus}: every event goes to the SQS queue {queue} ({url})")


def print_events(follow, compact):
    _, sqs = clients()
    _, queue = names()
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1 if follow else 0)
        messages = answer.get("Messages", [])
        for message in messages:
            try:
                event = json.loads(message["Body"])
                print(json.dumps(event, separators=(",", ":")) if compact else json.dumps(event, indent=2), flush=True)
            except ValueError:
                print(message["Body"], flush=True)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if not messages and not follow:
            return


def main(args):
    if args[:1] == ["setup"]:
        setup()
    elif args[:1] == ["print"] and set(args[1:]) <= {"--follow", "-f", "--compact", "-c"}:
        try:
            print_events(follow=bool({"--follow", "-f"} & set(args)), compact=bool({"--compact", "-c"} & set(args)))
        except KeyboardInterrupt:
            pass
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
