"""The bench's figures as Markdown tables and as one PNG."""

from pathlib import Path
from typing import Any

TLS_NOTE = (
    "TLS: the local MariaDB and PostgreSQL have no TLS configured, so every figure here is without it "
    "(production connects with TLS: add its handshake to both the app and the floor)."
)


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x"


def round_trip_table(results: dict[str, Any], names: dict[str, str]) -> list[str]:
    lines = [
        "| database | variant | read | write | a read sends | a write sends |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for database, figures in results.items():
        trips = figures["round_trips"]
        for letter, name in names.items():
            row = trips[letter]
            lines.append(
                f"| {database} | {letter} {name} | {row['read']:g} | {row['write']:g} "
                f"| `{row['read_sent']}` | `{row['write_sent']}` |"
            )
    lines.append("")
    for database, figures in results.items():
        trips = figures["round_trips"]
        lines.append(
            f"- {database}: A's read after idling less than ping_after_idle: {trips['idle_before']:g} round "
            f"trip(s); after idling longer: {trips['idle_after']:g} (the ping)"
        )
    return lines


def latency_table(results: dict[str, Any], names: dict[str, str]) -> list[str]:
    lines = [
        "| database | variant | read, loopback | write, loopback "
        "| read, +0.5 ms each way | write, +0.5 ms each way |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for database, figures in results.items():
        for letter, name in names.items():
            cells = []
            for network in ("loopback", "delayed"):
                for operation in ("read", "write"):
                    timing = figures[network][operation]
                    row, floor = timing[letter], timing["B"]
                    cells.append(
                        f"{row['median']:.0f} µs, **{_ratio(row['median'], floor['median'])}** "
                        f"(p99 {_ratio(row['p99'], floor['p99'])})"
                    )
            lines.append(f"| {database} | {letter} {name} | " + " | ".join(cells) + " |")
    return lines


def breakdown_table(results: dict[str, Any]) -> list[str]:
    databases = list(results)
    lines = [
        "Where A's warm read goes, on loopback (medians; each line includes the one above it):",
        "",
        "| step | " + " | ".join(databases) + " |",
        "| --- | " + " | ".join("---:" for _ in databases) + " |",
    ]
    for step in results[databases[0]]["breakdown"]:
        cells = " | ".join(f"{results[database]['breakdown'][step]:.0f} µs" for database in databases)
        lines.append(f"| {step} | {cells} |")
    return lines


def connection_table(results: dict[str, Any], names: dict[str, str], processes: int, each: int) -> list[str]:
    lines = [
        f"{processes} processes x {each} invocations each:",
        "",
        "| database | variant | peak server connections | held while idle | after the processes exit |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for database, figures in results.items():
        for letter, row in figures["connections"].items():
            lines.append(
                f"| {database} | {letter} {names[letter]} | {row['peak']} | {row['held']} | {row['after']} |"
            )
    return lines


def print_tables(results: dict[str, Any], names: dict[str, str], processes: int, each: int) -> None:
    """Every figure, as Markdown."""
    sections = [
        ("1. Round trips per warm invocation (counted by bench/proxy.py)", round_trip_table(results, names)),
        ("2. Warm latency: median, and as a ratio to B", latency_table(results, names)),
        ("2b. A's read, step by step", breakdown_table(results)),
        ("3. Connections", connection_table(results, names, processes, each)),
    ]
    for title, lines in sections:
        print(f"\n### {title}\n")
        print("\n".join(lines))
    print(f"\n{TLS_NOTE}")


def plot(results: dict[str, Any], path: Path) -> None:
    """Round trips, latency ratios and connections, side by side per database."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    databases = list(results)
    letters = list(next(iter(results.values()))["round_trips"].keys() & set("ABCD"))
    letters.sort()
    figure, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    width = 0.8 / (2 * len(databases))

    def bars(axis: Any, series: dict[str, list[float]], labels: list[str]) -> None:
        for index, (label, values) in enumerate(series.items()):
            positions = [
                position + (index - (len(series) - 1) / 2) * width for position in range(len(labels))
            ]
            axis.bar(positions, values, width, label=label)
        axis.set_xticks(range(len(labels)), labels)
        axis.legend(fontsize=7)

    trips = {
        f"{database} {operation}": [results[database]["round_trips"][letter][operation] for letter in letters]
        for database in databases
        for operation in ("read", "write")
    }
    bars(axes[0], trips, letters)
    axes[0].set_title("round trips per warm invocation")

    ratios = {
        f"{database} {network}": [
            results[database][network]["read"][letter]["median"]
            / results[database][network]["read"]["B"]["median"]
            for letter in letters
        ]
        for database in databases
        for network in ("loopback", "delayed")
    }
    bars(axes[1], ratios, letters)
    axes[1].set_yscale("log")
    axes[1].axhline(1, color="grey", linewidth=0.5)
    axes[1].set_title("warm read, median latency / B (delayed: +0.5 ms each way)")

    connection_letters = list(next(iter(results.values()))["connections"])
    peaks = {
        database: [results[database]["connections"][letter]["peak"] for letter in connection_letters]
        for database in databases
    }
    bars(axes[2], peaks, connection_letters)
    axes[2].set_title("peak server connections")

    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
