"""Turning the bot's catalog keys into the words a member reads or hears, in their language."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from careline import catalog
from careline.config import Settings, contact_numbers
from careline.languages import languages

log = logging.getLogger(__name__)

SMS_LIMIT = 1600
# Keypad shortcuts of the main voice menu (catalog key main_menu says the same words).
MAIN_MENU = {"1": "/benefit_overview", "2": "/plan_about", "3": "/ride_book", "4": "/nurse_request", "5": "/class_find", "0": "/agent_request", "9": "/help"}
# What a caller must check or write down: spoken more slowly.
READ_BACKS = frozenset({"ride_summary", "ride_summary_standing", "ride_booked", "ride_booked_standing", "ride_changed", "ride_ask_cancel",
                        "class_confirm", "class_registered"})
LIST_SEPARATORS = {"zh": "、", "ar": "، ", "fa": "، "}


@dataclass
class Reply:
    """Everything one turn says and does, already in the member's language."""

    texts: list[str]
    language: str
    transfer: str | None = None
    hangup: bool = False
    expects_digits: bool = False
    keypad: dict[str, str] = field(default_factory=lambda: dict(MAIN_MENU))
    safety: str | None = None
    language_changed: bool = False
    hint: str | None = None
    handoff: dict | None = None  # a nurse handoff to open (warm transfer or callback)
    slow: set[int] = field(default_factory=set)  # which texts are read-backs, spoken slowly on a call
    handoff_id: int | None = None

    def sms_body(self) -> str:
        body = "\n\n".join(t for t in self.texts if t)
        if self.hint:
            body = f"{body}\n\n{self.hint}"
        if len(body) > SMS_LIMIT:
            body = body[: SMS_LIMIT - 1].rsplit(" ", 1)[0] + "…"
        return body


def numbers(settings: Settings) -> dict[str, str]:
    return contact_numbers(settings)


def single(key: str, language: str, channel: str, settings: Settings, params: dict | None = None, **fields) -> Reply:
    """A reply of one catalog text."""
    return Reply(texts=[catalog.text(key, language, channel, **{**numbers(settings), **(params or {})})], language=language, **fields)


def from_bot(messages: list[dict], language: str, channel: str, settings: Settings) -> Reply:
    """Render the messages of one Rasa turn (custom payloads naming catalog keys)."""
    reply = Reply(texts=[], language=language)
    for message in messages:
        custom = message.get("custom")
        if not isinstance(custom, dict) or "key" not in custom:
            # Rasa itself only speaks through catalog keys; anything else is a bug to log, not to show.
            log.warning("bot message without a catalog key ignored")
            continue
        if custom.get("set_language") in languages():
            reply.language = custom["set_language"]
            reply.language_changed = True
        params = {**numbers(settings), **(custom.get("params") or {})}
        if custom.get("list"):
            params[custom["list"]["param"]], menu = _render_list(custom["list"], reply.language, channel)
            if menu:
                reply.keypad = menu
        for name, sub in (custom.get("subkeys") or {}).items():
            params[name] = _subtexts(sub, reply.language, channel, params)
        if custom.get("menu") == "main":
            reply.keypad = dict(MAIN_MENU)
        try:
            reply.texts.append(catalog.text(custom["key"], reply.language, channel, **params))
        except catalog.MissingText:
            log.error("catalog key missing: %s", custom["key"])
            continue
        if custom["key"] in READ_BACKS:
            reply.slow.add(len(reply.texts) - 1)
        reply.transfer = custom.get("transfer") or reply.transfer
        reply.hangup = reply.hangup or bool(custom.get("hangup"))
        reply.expects_digits = custom.get("expects") == "digits"
        reply.safety = custom.get("safety") or reply.safety
        reply.handoff = custom.get("handoff") or reply.handoff
    if not reply.texts:
        reply.texts.append(catalog.text("rephrase", reply.language, channel))
    return reply


def _subtexts(sub, language: str, channel: str, params: dict) -> str:
    """A catalog text inside another (the vehicle, the ride home): [key, params] or a list of them."""
    if not sub:
        return ""
    if isinstance(sub[0], str):
        return catalog.text(sub[0], language, channel, **{**params, **(sub[1] if len(sub) > 1 else {})})
    separator = LIST_SEPARATORS.get(language, ", ")
    return separator.join(_subtexts(item, language, channel, params) for item in sub)


def _render_list(spec: dict, language: str, channel: str) -> tuple[str, dict[str, str] | None]:
    items = spec.get("items") or []
    rendered, menu = [], {}
    for position, item in enumerate(items, start=1):
        digit = str(position)
        rendered.append(catalog.text(spec["item_key"], language, channel, name=item["name"], digit=digit))
        if item.get("intent"):
            menu[digit] = f"/{item['intent']}"
    separator = LIST_SEPARATORS.get(language, ", ") if channel == "sms" else ". "
    return separator.join(rendered), (menu if channel == "voice" else None)
