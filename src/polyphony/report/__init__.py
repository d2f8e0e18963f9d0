"""Reports: metrics.json (always), a terminal summary, and one self-contained HTML page."""
