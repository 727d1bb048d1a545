#!/usr/bin/env python3
"""Reads criterion's results (target/criterion and peers/target/criterion
under this directory), prints a Markdown table of medians and ranges and the
ratios against the goals of the performance issue, and writes ratios.svg.

usage: python3 report.py [GENERATOR_WALL_SECONDS] [COMPILE_RESULTS_TSV]

COMPILE_RESULTS_TSV is the results.tsv that compile.sh writes
(target/compile-bench/results.tsv): its whole-model rows add the compile-time
ratios against aws-sdk-s3 and their goals.

The range is the fastest and slowest per-sample mean (criterion's samples),
the median is criterion's median estimate. Nothing here runs a benchmark.
"""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOTS = [os.path.join(HERE, "target", "criterion"),
         os.path.join(HERE, "peers", "target", "criterion")]
AWS_REFERENCE_NS = 70_000.0  # the aws-sdk-s3 reference figure


def load(group, bench):
    for root in ROOTS:
        d = os.path.join(root, group, bench, "new")
        if os.path.exists(os.path.join(d, "estimates.json")):
            est = json.load(open(os.path.join(d, "estimates.json")))
            sample = json.load(open(os.path.join(d, "sample.json")))
            meta = json.load(open(os.path.join(d, "benchmark.json")))
            per = [t / i for t, i in zip(sample["times"], sample["iters"])]
            tp = meta.get("throughput") or {}
            return {
                "median": est["median"]["point_estimate"],
                "lo": min(per),
                "hi": max(per),
                "bytes": tp.get("Bytes"),
            }
    return None


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


ROWS = [
    ("write_analytics_configuration", "s3_api_to_xml", "Write AnalyticsConfiguration (601 B): s3-api `to_xml`"),
    ("write_analytics_configuration", "floor_push_str", "Write: floor (`push_str` of the same bytes into a pre-sized String)"),
    ("write_analytics_configuration", "serde_quick_xml", "Write: serde derive + `quick_xml::se::to_string`"),
    ("peers_write_analytics_configuration", "s3s", "Write: s3s `xml::Serializer` (553 B: no xmlns, members in alphabetical order)"),
    ("read_analytics_configuration", "s3_api_from_xml", "Read AnalyticsConfiguration (601 B): s3-api `from_xml`"),
    ("read_analytics_configuration", "serde_quick_xml", "Read: serde derive + `quick_xml::de::from_str`"),
    ("peers_read_analytics_configuration", "s3s", "Read: s3s `xml::Deserializer`"),
    ("read_list_100_configurations", "s3_api_parse_response", "Read List… response, 100 configurations: s3-api `parse_response`"),
    ("read_list_100_configurations", "serde_quick_xml", "Read List…, 100 configurations: serde + `quick_xml::de::from_str`"),
    ("request", "s3_api_put_to_http_request", "PutBucketAnalyticsConfiguration `to_http_request` (full input)"),
    ("peers_request", "aws_sdk_s3_put_send_captured", "aws-sdk-s3 `put_bucket_analytics_configuration().send()`, capturing client"),
    ("peers_request", "aws_sdk_s3_clone_configuration_only", "  (of which: cloning the input configuration)"),
    ("request", "s3_api_parse_403_access_denied", "Parse 403 AccessDenied error response: s3-api `parse_response`"),
]


def main():
    gen_wall = float(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    compile_tsv = sys.argv[2] if len(sys.argv) > 2 else None
    r = {}
    print("| Benchmark | Median | Range (per-sample means) | Throughput at median |")
    print("|---|---|---|---|")
    for group, bench, label in ROWS:
        v = load(group, bench)
        r[(group, bench)] = v
        if v is None:
            print(f"| {label} | not measured | | |")
            continue
        tp = ""
        if v["bytes"]:
            tp = f"{v['bytes'] / (v['median'] * 1e-9) / 1e6:,.0f} MB/s"
        print(f"| {label} | {fmt_ns(v['median'])} | {fmt_ns(v['lo'])} – {fmt_ns(v['hi'])} | {tp} |")

    def m(g, b):
        v = r.get((g, b))
        return v["median"] if v else None

    ours_w = m("write_analytics_configuration", "s3_api_to_xml")
    floor_w = m("write_analytics_configuration", "floor_push_str")
    serde_w = m("write_analytics_configuration", "serde_quick_xml")
    ours_r = m("read_analytics_configuration", "s3_api_from_xml")
    serde_r = m("read_analytics_configuration", "serde_quick_xml")
    ours_l = m("read_list_100_configurations", "s3_api_parse_response")
    serde_l = m("read_list_100_configurations", "serde_quick_xml")
    ours_q = m("request", "s3_api_put_to_http_request")
    aws_q = m("peers_request", "aws_sdk_s3_put_send_captured")

    # (label, value, goal, "le" if value must be <= goal else "ge", note)
    ratios = [
        ("write: s3-api time / floor time", ours_w / floor_w, 1.5, "le", "lower is better"),
        ("write: serde+quick-xml time / s3-api time", serde_w / ours_w, 3.0, "ge", "times faster"),
        ("read 1 config: serde+quick-xml / s3-api", serde_r / ours_r, 2.0, "ge", "times faster"),
        ("read 100 configs: serde+quick-xml / s3-api", serde_l / ours_l, 2.0, "ge", "times faster"),
    ]
    if aws_q is not None:
        ratios.append(("request: aws-sdk-s3 (measured) / s3-api", aws_q / ours_q, 50.0, "ge", "times faster"))
    ratios.append(("request: 70 µs reference / s3-api", AWS_REFERENCE_NS / ours_q, 50.0, "ge", "times faster"))
    if gen_wall is not None:
        ratios.append(("generator: wall time / 0.5 s goal", gen_wall / 0.5, 1.0, "le", "lower is better"))
    if compile_tsv is not None:
        ratios.extend(compile_ratios(compile_tsv))

    print()
    print("| Ratio (same run) | Measured | Goal | Met? |")
    print("|---|---|---|---|")
    for label, val, goal, sense, note in ratios:
        met = val <= goal if sense == "le" else val >= goal
        if met:
            verdict = "met"
        elif sense == "le":
            verdict = f"missed ({val / goal:.1f}x over)"
        else:
            verdict = f"missed ({goal / val:.1f}x short)"
        op = "≤" if sense == "le" else "≥"
        print(f"| {label} | {val:.2f}x | {op} {goal:g}x | {verdict} |")
    write_svg(ratios)


def compile_ratios(path):
    """aws-sdk-s3 wall time / s3-api (whole model, default features) wall
    time per mode, with the goals: 8x with dependencies, 4x crate alone."""
    aws, ours = {}, {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            crate, features, mode, wall = line.rstrip("\n").split("\t")[:4]
            if crate == "aws-sdk-s3":
                aws[mode] = float(wall)
            elif features == "all operations":
                ours[mode] = float(wall)
    out = []
    for mode, label, goal in [
        ("debug-deps", "compile debug, with deps", 8.0),
        ("release-deps", "compile release, with deps", 8.0),
        ("debug-alone", "compile debug, crate alone", 4.0),
        ("release-alone", "compile release, crate alone", 4.0),
    ]:
        if mode in aws and mode in ours:
            out.append((f"{label}: aws-sdk-s3 / s3-api", aws[mode] / ours[mode], goal, "ge", "times faster"))
    return out


def write_svg(ratios):
    # Horizontal bars on a log scale (0.5x to 200x); a black tick marks each goal.
    left, width, row_h, top = 330, 430, 34, 40
    lo, hi = math.log10(0.5), math.log10(200)

    def x(v):
        v = min(max(v, 0.5), 200)
        return left + (math.log10(v) - lo) / (hi - lo) * width

    h = top + row_h * len(ratios) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{h}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">s3-api performance ratios '
           '(log scale; black tick = goal; green = met, red = missed)</text>']
    for tick in (0.5, 1, 2, 5, 10, 20, 50, 100, 200):
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{top - 5}" x2="{tx:.1f}" y2="{h - 30}" stroke="#ddd"/>')
        out.append(f'<text x="{tx:.1f}" y="{h - 15}" text-anchor="middle" fill="#555">{tick:g}x</text>')
    for i, (label, val, goal, sense, note) in enumerate(ratios):
        y = top + i * row_h
        met = val <= goal if sense == "le" else val >= goal
        colour = "#2e7d32" if met else "#c62828"
        x0 = x(1.0)
        x1 = x(val)
        bx, bw = (min(x0, x1), abs(x1 - x0))
        out.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{label}</text>')
        out.append(f'<text x="{left - 8}" y="{y + 26}" text-anchor="end" fill="#777" font-size="10">'
                   f'{note}; goal {"≤" if sense == "le" else "≥"} {goal:g}x</text>')
        out.append(f'<rect x="{bx:.1f}" y="{y + 4}" width="{max(bw, 1.5):.1f}" height="20" fill="{colour}"/>')
        gx = x(goal)
        out.append(f'<line x1="{gx:.1f}" y1="{y}" x2="{gx:.1f}" y2="{y + 28}" stroke="black" stroke-width="2"/>')
        out.append(f'<text x="{max(x0, x1, gx) + 6:.1f}" y="{y + 18}">{val:.2f}x</text>')
    out.append("</svg>")
    with open(os.path.join(HERE, "ratios.svg"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
