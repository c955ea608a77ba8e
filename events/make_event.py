#!/usr/bin/env python3
"""Writes an API Gateway v2 (HTTP API, payload 2.0) event for a GraphQL call.

usage: make_event.py FUNCTION NAME 'QUERY' ['VARIABLES_JSON'] [HEADER=VALUE ...]
Writes events/FUNCTION/NAME.json; run it from anywhere.
"""
import json, os, sys

def main():
    function, name, query = sys.argv[1:4]
    rest = sys.argv[4:]
    variables = json.loads(rest.pop(0)) if rest and rest[0].startswith("{") else {}
    headers = {"content-type": "application/json", "x-tenant-id": "default"}
    for h in rest:
        k, v = h.split("=", 1)
        headers[k.lower()] = v
    path = f"/{function}/graphql"
    event = {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "example",
            "domainName": "example.execute-api.eu-central-1.amazonaws.com",
            "domainPrefix": "example",
            "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.10", "userAgent": "storefront"},
            "requestId": f"{function}-{name}",
            "routeKey": f"POST {path}",
            "stage": "$default",
            "time": "21/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795262400000,
        },
        "body": json.dumps({"query": query, "variables": variables}),
        "isBase64Encoded": False,
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), function, f"{name}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(event, f, indent=2)
        f.write("\n")

main()
