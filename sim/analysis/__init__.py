"""Analyses of sweeps: global sensitivity (Sobol, Morris) and scenario discovery (PRIM)."""


def write_outputs(folder, tables: dict, text: tuple[str, str], meta: tuple[str, dict]) -> list[str]:
    """Write each table as ``<stem>.parquet`` and ``<stem>.csv``, the plain answer and the JSON
    record into ``folder``; return the file names written."""
    import json
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, df in tables.items():
        df.to_parquet(folder / f"{stem}.parquet", index=False)
        df.to_csv(folder / f"{stem}.csv", index=False)
        written += [f"{stem}.parquet", f"{stem}.csv"]
    (folder / text[0]).write_text(text[1] + "\n")
    (folder / meta[0]).write_text(json.dumps(meta[1], indent=2, default=str) + "\n")
    return written + [text[0], meta[0]]
