"""Cold start of `artgan studio`: a new process each run, timed until the page could show paintings.

    python benchmarks/bench_studio.py [--repeats 3] [--artgan PATH] [--model NAME]

Two figures per cold run, both from the moment the process is started:
- **first painting**: the page is served, one painting is painted (POST /api/paint, count 1,
  polled to the end as the page does) and its PNG has arrived;
- **16-painting grid**: in another fresh process, the same with a batch of 16 and all 16 PNGs
  fetched (what the page needs to show the grid).
Also the warm figure (a second batch of 16 in the same process) for comparison, and the CPU
seconds each cold studio process used in all (user + system, from the kernel's accounting of the
reaped child), which a busy shared machine inflates far less than wall time. Prints median and
min seconds; writes benchmarks/results/studio.json.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script


def start(artgan: str, state: Path, model: str | None) -> tuple[subprocess.Popen, str]:
    command = [artgan, "studio", "--port", "0", "--state", str(state), "--no-open"] + (["--model", model] if model else [])
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        raise SystemExit(f"the studio did not start: {process.stderr.read()}")
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.02)


def paint_and_fetch(client: httpx.Client, url: str, count: int, seed: int) -> None:
    job = client.post(url + "api/paint", json={"seed": seed, "count": count}).json()
    while job["status"] == "running":
        time.sleep(0.02)
        job = client.get(url + f"api/jobs/{job['id']}").json()
    if job["status"] != "done" or len(job["result"]) != count:
        raise SystemExit(f"painting failed: {job}")
    for painting in job["result"]:
        client.get(url + painting["url"].lstrip("/")).raise_for_status()


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_run(artgan: str, model: str | None, count: int, warm_too: bool = False) -> tuple[float, float | None, float]:
    """(cold wall s, warm wall s or None, CPU s of the whole studio process)."""
    cpu_before = children_cpu_s()
    with tempfile.TemporaryDirectory() as state:
        started = time.perf_counter()
        process, url = start(artgan, Path(state), model)
        try:
            with httpx.Client(timeout=300) as client:
                paint_and_fetch(client, url, count, seed=1)
                cold = time.perf_counter() - started
                warm = None
                if warm_too:
                    again = time.perf_counter()
                    paint_and_fetch(client, url, count, seed=2)
                    warm = time.perf_counter() - again
        finally:
            process.terminate()
            process.wait(timeout=30)
    return cold, warm, children_cpu_s() - cpu_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--artgan", default=shutil.which("artgan") or "artgan", help="the artgan executable to time")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    results: dict[str, dict] = {}
    first_runs = [cold_run(args.artgan, args.model, 1) for _ in range(args.repeats)]
    grid_runs = [cold_run(args.artgan, args.model, 16, warm_too=True) for _ in range(args.repeats)]
    first, first_cpu = [c for c, _, _ in first_runs], [cpu for _, _, cpu in first_runs]
    grid, warm = [c for c, _, _ in grid_runs], [w for _, w, _ in grid_runs if w is not None]
    series = (("cold_first_painting", first), ("cold_first_painting_process_cpu", first_cpu),
              ("cold_grid_16", grid), ("warm_grid_16", warm))
    for name, times in series:
        results[name] = {"median_s": statistics.median(times), "min_s": min(times), "runs": len(times)}
        print(f"{name}: median {statistics.median(times):.2f} s, min {min(times):.2f} s ({len(times)} runs)")
    write_results("studio", results)


if __name__ == "__main__":
    main()
