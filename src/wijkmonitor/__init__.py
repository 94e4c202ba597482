"""wijkmonitor: neighbourhood statistics exports to a validated warehouse, analyses and a report."""

__version__ = "0.1.0"
