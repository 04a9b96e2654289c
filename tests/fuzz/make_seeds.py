#!/usr/bin/env python3
"""Writes the fuzz seed corpora (corpus/<target>/) from the wire transcripts in tests/fixtures.

Each BOSH transcript becomes a step script for the bosh_sequence target (requests paired with
responses by rid, as `boshtap replay` pairs them), each WebSocket transcript a script for the
ws_messages target, and every transcript is a seed for transcript_replay as it is. Short
prefixes are written too: small inputs run faster and mutate into more shapes.

Usage: make_seeds.py [FIXTURES_DIR] [OUTPUT_DIR]   (defaults: ../fixtures, ./corpus)
"""
import pathlib
import re
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
SEPARATOR = "\n~~~\n"
PREFIX_STEPS = (12, 30)


def sections(text):
    """(header, payload) pairs of a transcript; '#' lines are comments."""
    out = []
    for line in text.splitlines():
        if line.startswith("==="):
            out.append([line[3:].strip(), []])
        elif line.startswith("#"):
            continue
        elif out:
            out[-1][1].append(line)
    return [(h, "\n".join(p).strip()) for h, p in out]


def field(header, key):
    m = re.search(r"(?:^|\s)" + key + r"=(\S+)", header)
    return m.group(1) if m else None


def seconds(header):
    t = field(header, "t")
    return float(t.lstrip("+")) if t else 0.0


def time_steps(clock, t):
    """A 'T' step when the transcript's clock moved by more than the 1 s every step adds."""
    gap = int(t - clock[0])
    clock[0] = max(clock[0] + 1, t)
    return ["T %d\n" % gap] if gap > 1 else []


def bosh_script(text):
    steps, open_requests, clock = [], [], [0.0]
    free = list(range(10))
    for header, payload in sections(text):
        if " HTTP" in header or "frame" in header.split():
            continue
        rid = field(header, "rid") or ""
        steps += time_steps(clock, seconds(header))
        if header.startswith("C->S"):
            slot = free.pop(0) if free else 9
            open_requests.append((rid, slot))
            steps.append("Q%d\n%s" % (slot, payload))
        else:
            match = next((r for r in open_requests if r[0] == rid), None)
            if match is None:
                continue
            open_requests.remove(match)
            free.append(match[1])
            free.sort()
            status = re.match(r"\((\d{3})", header[header.find("("):] if "(" in header else "")
            steps.append("R%d %s\n%s" % (match[1], status.group(1) if status else "200", payload))
    return steps


def ws_script(text):
    steps, slots, clock = [], {}, [0.0]
    for header, payload in sections(text):
        conn = field(header, "conn")
        if conn is None:
            continue
        steps += time_steps(clock, seconds(header))
        if conn not in slots:
            slots[conn] = len(slots) % 10
        slot = slots[conn]
        if " HTTP" in " " + header:
            if header.startswith("C->S") and "websocket" in payload.lower():
                target = payload.splitlines()[0].split(" ")[1] if payload else "/"
                if "previd=" in target:
                    # A resuming client's earlier sockets are gone (as `boshtap replay` has it).
                    steps += ["X%d\n" % s for s in sorted(set(slots.values())) if s != slot]
                steps.append("O%d %s\n" % (slot, target))
        elif "frame" in header.split():
            steps.append("%s%d\n%s" % ("C" if header.startswith("C->S") else "S", slot, payload))
    # The transcript's sockets end with it.
    steps += ["X%d\n" % s for s in sorted(set(slots.values()))]
    return steps


def write(directory, name, steps):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / (name + ".txt")).write_text(SEPARATOR.join(s.rstrip("\n") for s in steps) + "\n")
    for n in PREFIX_STEPS:
        if len(steps) > n:
            (directory / ("%s.first%d.txt" % (name, n))).write_text(
                SEPARATOR.join(s.rstrip("\n") for s in steps[:n]) + "\n")


def main():
    fixtures = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "fixtures"
    out = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "corpus"
    for transcript in sorted(fixtures.glob("*.txt")):
        text = transcript.read_text()
        name = transcript.stem
        replay_dir = out / "transcript_replay"
        replay_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(transcript, replay_dir / transcript.name)
        if name.startswith("bosh-"):
            write(out / "bosh_sequence", name, bosh_script(text))
        elif name.startswith("ws-"):
            write(out / "ws_messages", name, ws_script(text))


if __name__ == "__main__":
    main()
