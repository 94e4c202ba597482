"""wijkmonitor: neighbourhood statistics exports to a validated warehouse, analyses and a report."""

__version__ = "0.1.0"


def code_digest(root=None) -> str:
    """SHA-256 over the package's own source (modules and message catalogue). The workflow passes it
    to every rule as a param, so a changed wijkmonitor reruns the steps it runs (Snakemake tracks the
    thin scripts in scripts/, not the package they call). `root`: another package folder (tests)."""
    import hashlib
    from pathlib import Path

    root = Path(root or Path(__file__).parent)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
