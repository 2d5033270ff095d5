"""Shared core of the member assistant: settings, languages, catalog, safety screen, data layer.

Nothing in this package imports Flask or rasa_sdk, so the webhook and the action server share it.
"""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
