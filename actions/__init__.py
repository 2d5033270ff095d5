"""rasa_sdk action server: one module per capability. Started with `rasa run actions --actions actions`."""
from actions import benefits, conversation, identity, language, nurse  # noqa: F401
