"""polyphony: conversation analysis for recorded network meetings.

Importing polyphony switches the Hugging Face hub to offline mode and pyannote's telemetry
off before anything heavy can be imported: these are recordings of people in crisis, and
nothing about them may leave the machine.
"""

from polyphony.models import enforce_offline

enforce_offline()

__version__ = "0.1.0"
