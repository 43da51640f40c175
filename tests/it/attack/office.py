"""An office behind one NAT address, for tests/it/attack.rs: every phone boots the way its vendor
boots, all from 127.0.0.1, and every answer is checked against what a real phone needs.

    office.py HOST HTTP_PORT FTP_PORT TFTP_PORT PHONES_JSON BOOT [PARALLEL]

PHONES_JSON lists {"mac", "vendor" (polycom|aastra), "model", "transport" (http|ftp|tftp),
"overrides" (whether the user changed a setting on it)}. BOOT is 1 for the first boot, 2 for the
next (overrides uploaded at the first boot are read back then). PARALLEL phones boot at once
(default 1: one after the other). Polycom: the Updater's boot log
(PUT), the master file, the application image (its first KiB), every CONFIG_FILES entry, every
optional file (override, web, licence, directory and call list files: 404 until uploaded), the
application log, and the override file when the user changed a setting. Aastra/Mitel:
aastra.cfg, <model>.cfg, <MAC>.cfg. Prints a JSON list of every answer a real phone would not
expect (empty when the office boots cleanly) and the number of requests made.
"""

import ftplib
import http.client
import io
import json
import socket
import struct
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

HOST, HTTP_PORT, FTP_PORT, TFTP_PORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
PHONES = json.load(open(sys.argv[5]))
BOOT = int(sys.argv[6])
PARALLEL = int(sys.argv[7]) if len(sys.argv) > 7 else 1
SOURCE = ("127.0.0.1", 0)
OVERRIDES = b'<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity="1"/></PHONE_CONFIG>'

problems = []
requests = 0
tally = threading.Lock()


def expect(what, got, allowed):
    global requests
    with tally:
        requests += 1
        if got not in allowed:
            problems.append(f"{what}: {got}, expected one of {sorted(allowed)}")


def optional_files(mac):
    return [f"{mac}-phone.cfg", f"{mac}-web.cfg", "000000000000-license.cfg",
            f"{mac}-license.cfg", f"{mac}-calls.xml", f"{mac}-directory.xml",
            "000000000000-directory.xml"]


def attribute(master, name):
    text = master.decode()
    start = text.find(name + '="')
    if start < 0:
        return ""
    start += len(name) + 2
    return text[start:text.index('"', start)]


class Http:
    def __init__(self, agent):
        self.conn = http.client.HTTPConnection(HOST, HTTP_PORT, timeout=20, source_address=SOURCE)
        self.agent = agent

    def ask(self, method, name, body=None, headers=None):
        all_headers = {"User-Agent": self.agent}
        all_headers.update(headers or {})
        self.conn.request(method, "/" + name, body=body, headers=all_headers)
        reply = self.conn.getresponse()
        return reply.status, reply.read()


def polycom_over_http(phone):
    mac, model = phone["mac"], phone["model"]
    ua = f"FileTransport Polycom{model}-UA/5.9.7.4477"
    updater, app = Http(ua + " Type/Updater"), Http(ua + " Type/Application")
    status, _ = updater.ask("PUT", f"{mac}-boot.log", f"boot {BOOT}\n".encode())
    expect(f"{mac} PUT boot log", status, {204})
    status, master = app.ask("GET", f"{mac}.cfg")
    expect(f"{mac} master", status, {200})
    image = attribute(master, "APP_FILE_PATH").replace("[PHONE_PART_NUMBER]", "3111-44500-001")
    status, _ = app.ask("GET", image, headers={"Range": "bytes=0-1023"})
    # A split image the folder lacks is not found; the phone then keeps the one it runs.
    expect(f"{mac} image {image}", status, {200, 206, 404})
    for name in [n.strip() for n in attribute(master, "CONFIG_FILES").split(",") if n.strip()]:
        status, _ = app.ask("GET", name)
        expect(f"{mac} {name}", status, {200})
    for name in optional_files(mac):
        status, _ = app.ask("GET", name)
        uploaded = BOOT == 2 and phone["overrides"] and name.endswith("-phone.cfg")
        expect(f"{mac} {name}", status, {200} if uploaded else {200, 404})
    status, _ = app.ask("PUT", f"{mac}-app.log", f"app {BOOT}\n".encode())
    expect(f"{mac} PUT app log", status, {204})
    if phone["overrides"]:
        status, _ = app.ask("PUT", f"{mac}-phone.cfg", OVERRIDES)
        expect(f"{mac} PUT overrides", status, {204})


def ftp_code(call):
    try:
        reply = call()
        return reply[:3] if isinstance(reply, str) else "226"
    except ftplib.error_perm as error:
        return str(error)[:3]


def polycom_over_ftp(phone):
    mac = phone["mac"]
    ftp = ftplib.FTP(timeout=20, source_address=SOURCE)
    ftp.connect(HOST, FTP_PORT)
    ftp.login("PlcmSpIp", "PlcmSpIp")
    code = ftp_code(lambda: ftp.storbinary(f"STOR {mac}-boot.log", io.BytesIO(f"boot {BOOT}\n".encode())))
    expect(f"{mac} STOR boot log", code, {"226"})
    master = io.BytesIO()
    expect(f"{mac} master", ftp_code(lambda: ftp.retrbinary(f"RETR {mac}.cfg", master.write)), {"226"})
    for name in [n.strip() for n in attribute(master.getvalue(), "CONFIG_FILES").split(",") if n.strip()]:
        expect(f"{mac} {name}", ftp_code(lambda: ftp.retrbinary(f"RETR {name}", lambda _: None)), {"226"})
    for name in optional_files(mac):
        uploaded = BOOT == 2 and phone["overrides"] and name.endswith("-phone.cfg")
        code = ftp_code(lambda: ftp.retrbinary(f"RETR {name}", lambda _: None))
        expect(f"{mac} {name}", code, {"226"} if uploaded else {"226", "550"})
    code = ftp_code(lambda: ftp.storbinary(f"STOR {mac}-app.log", io.BytesIO(f"app {BOOT}\n".encode())))
    expect(f"{mac} STOR app log", code, {"226"})
    if phone["overrides"]:
        code = ftp_code(lambda: ftp.storbinary(f"STOR {mac}-phone.cfg", io.BytesIO(OVERRIDES)))
        expect(f"{mac} STOR overrides", code, {"226"})
    ftp.quit()


def tftp_get(name):
    """The whole file over TFTP (block by block, each acknowledged), or the ERROR code."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(SOURCE)
    sock.settimeout(10)
    sock.sendto(b"\x00\x01" + name.encode() + b"\x00octet\x00", (HOST, TFTP_PORT))
    expected = 1
    try:
        while True:
            packet, sender = sock.recvfrom(65536)
            opcode, number = struct.unpack("!HH", packet[:4])
            if opcode == 5:
                return f"error-{number}"
            if number == expected:
                sock.sendto(struct.pack("!HH", 4, number), sender)
                expected += 1
                if len(packet) - 4 < 512:
                    return "done"
    finally:
        sock.close()


def aastra(phone):
    mac, model = phone["mac"], phone["model"]
    names = ["aastra.cfg", f"{model}.cfg", f"{mac.upper()}.cfg"]
    if phone["transport"] == "tftp":
        for name in names:
            expect(f"{mac} {name} over TFTP", tftp_get(name), {"done"})
        return
    dashed = "-".join(mac[i:i + 2] for i in range(0, 12, 2)).upper()
    client = Http(f"Aastra{model} MAC:{dashed} V:3.3.1.4322-SIP")
    for name in names:
        status, _ = client.ask("GET", name)
        expect(f"{mac} {name}", status, {200})


def boot(phone):
    try:
        if phone["vendor"] == "aastra":
            aastra(phone)
        elif phone["transport"] == "ftp":
            polycom_over_ftp(phone)
        else:
            polycom_over_http(phone)
    except (OSError, ftplib.Error, http.client.HTTPException) as error:
        expect(f"{phone['mac']} boot", f"{type(error).__name__}: {error}", set())


with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
    list(pool.map(boot, PHONES))

print(json.dumps({"problems": problems, "requests": requests}))
