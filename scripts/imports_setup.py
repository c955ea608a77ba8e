"""The local imports' bucket and queue on moto (scripts/dev.sh runs this).

    imports_setup.py BUCKET QUEUE   makes both (idempotent; moto keeps nothing
                                    across restarts) and prints the queue's URL

Run with moto's virtualenv (.local/moto/bin/python: boto3 comes with moto).
Endpoint from the environment: MOTO_PORT (8010).
"""

import os
import sys

import boto3


def main(args):
    if len(args) != 2:
        sys.exit(__doc__)
    bucket, queue = args
    options = {
        "endpoint_url": f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '8010')}",
        "region_name": os.environ.get("AWS_REGION", "us-east-1"),
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    s3 = boto3.client("s3", **options)
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    # Hidden for 5 minutes while the imports function works on a task (the
    # function's timeout; deployed, 6 times that).
    url = boto3.client("sqs", **options).create_queue(QueueName=queue, Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    print(url)


if __name__ == "__main__":
    main(sys.argv[1:])
