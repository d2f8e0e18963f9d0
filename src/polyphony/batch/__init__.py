"""Many recordings at once: `polyphony batch`, resumable, on one or more workers (local
processes or Ray actors), recorded in a SQLite catalogue, exported as tidy tables."""

EXECUTORS = ("local", "ray")  # where a batch's workers run (`executors.start`)
