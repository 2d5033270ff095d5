"""The class conversation: find (by topic, language, day, place), sign up or join the waiting list,
and cancel a place. Plain data in, catalog keys out; the Rasa class_form calls step() and ask()."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import regex

from careline import catalog
from careline.classes import service
from careline.classes.extract import read_wish
from careline.db import session_scope
from careline.formats import format_when
from careline.rides.extract import answer, phrases
from careline.text import ascii_digits
from careline.turns import Turn, misunderstood, msg
from careline.when import has, normalise

PAGE = 3


@dataclass
class ClassContext:
    database_url: str
    language: str
    channel: str
    now: dt.datetime  # local
    member_id: int
    zip_code: str | None


def start(task: str, text: str, language: str, today: dt.date) -> dict:
    wish = read_wish(text, language, today)
    return {"task": task, "wish": _wish_dict(wish), "page": 0, "asked": None, "class_id": None, "misunderstood": 0}


def _wish_dict(wish) -> dict:
    return {"topic": wish.topic, "format": wish.format, "near_me": wish.near_me, "date": wish.date.isoformat() if wish.date else None,
            "weekdays": list(wish.weekdays), "daypart": wish.daypart, "this_week": wish.this_week, "weekend": wish.weekend, "language": wish.language}


def topics_text(language: str) -> str:
    return ", ".join(catalog.text(f"class_topic_{topic}", language) for topic in service.TOPICS)


def _search(state: dict, ctx: ClassContext) -> tuple[list[service.Offer], list[dict]]:
    """The classes matching the wish, and what to say first (no class in that language, no such day)."""
    w = state["wish"]
    notes: list[dict] = []
    with session_scope(ctx.database_url) as session:
        def find(**overrides):
            options = dict(topic=w.get("topic"), taught_in=w.get("language"), fmt=w.get("format"), home_zip=ctx.zip_code if w.get("near_me") or w.get("format") == "in_person" else None,
                           day=dt.date.fromisoformat(w["date"]) if w.get("date") else None, weekdays=tuple(w.get("weekdays") or ()),
                           daypart=w.get("daypart"), this_week=bool(w.get("this_week")), weekend=bool(w.get("weekend")))
            options.update(overrides)
            return service.offers(session, ctx.language, ctx.now, **options)

        found = find()
        if not found and w.get("language"):
            service.record_demand(ctx.database_url, w["language"], w.get("topic"), "language")
            notes.append(msg("class_no_language", language=catalog.language_name(w["language"])))
            found = find(taught_in=None)
        if not found and (w.get("date") or w.get("weekdays") or w.get("daypart") or w.get("this_week") or w.get("weekend")):
            notes.append(msg("class_no_match"))
            found = find(taught_in=None, day=None, weekdays=(), daypart=None, this_week=False, weekend=False)
        if not found and w.get("format"):
            found = find(taught_in=None, day=None, weekdays=(), daypart=None, this_week=False, weekend=False, fmt=None)
        if not w.get("language") and found:
            own = [o for o in found if o.language == ctx.language]
            found = own + [o for o in found if o.language != ctx.language]
    return found, notes


def item_name(offer: service.Offer, ctx: ClassContext) -> str:
    taught = "" if offer.language == ctx.language else f" ({catalog.language_name(offer.language)})"
    return f"{offer.title}{taught}, {format_when(offer.first_meeting, ctx.language)}, {service.where_text(offer, ctx.language, ctx.channel)}"


def ask(state: dict, ctx: ClassContext) -> list[dict]:
    """The form's question, unless the turn already ended with one (a list of classes)."""
    if state.pop("quiet", False):
        return []
    digits = {"expects": "digits"} if ctx.channel == "voice" else {}
    asked = state.get("asked")
    if asked == "confirm" or asked == "waitlist":
        with session_scope(ctx.database_url) as session:
            offer = service.offer_by_id(session, state["class_id"], ctx.language, ctx.now)
        if offer is None:
            state["asked"] = None
            return [msg("class_gone")] + ask(state, ctx)
        if asked == "waitlist":
            return [{**msg("class_full_waitlist", title=offer.title), **digits}]
        return [{**msg("class_confirm", title=offer.title, when=format_when(offer.first_meeting, ctx.language), where=service.where_text(offer, ctx.language, ctx.channel)), **digits}]
    if asked == "confirm_cancel":
        return [{**msg("class_cancel_confirm", title=state.get("title", "")), **digits}]
    if asked == "pick_cancel":
        return [{**msg("class_cancel_pick"), "list": {"param": "class_list", "item_key": "class_option_item", "items": [{"name": n} for n in state.get("names", [])]}, **digits}]
    if asked == "topic" or (state["task"] == "find" and not any(state["wish"].values()) and asked is None):
        state["asked"] = "topic"
        return [msg("class_ask_topic", topics=topics_text(ctx.language))]
    return []


def page(state: dict, ctx: ClassContext, notes: list[dict] | None = None) -> list[dict]:
    """Show (up to) three classes of the current page; a single match goes straight to its confirmation."""
    found, search_notes = _search(state, ctx)
    notes = (notes or []) + search_notes
    start_at = state.get("page", 0) * PAGE
    shown = found[start_at:start_at + PAGE]
    state["quiet"] = True
    if not found:
        service.record_demand(ctx.database_url, ctx.language, state["wish"].get("topic"), "topic")
        state["asked"] = "topic"
        return notes + [msg("class_no_topic", topics=topics_text(ctx.language))]
    if not shown:
        state["page"] = 0
        return notes + [msg("class_no_more")]
    if len(found) == 1:
        state["asked"], state["class_id"], state["quiet"] = "confirm", found[0].class_id, False
        return notes
    state["asked"], state["shown"] = "pick", [o.class_id for o in shown]
    items = [{"name": item_name(o, ctx)} for o in shown]
    return notes + [{**msg("class_options"), "list": {"param": "class_list", "item_key": "class_option_item", "items": items},
                     **({"expects": "digits"} if ctx.channel == "voice" else {})}]


def opening(state: dict, ctx: ClassContext) -> Turn:
    if state["task"] == "cancel":
        with session_scope(ctx.database_url) as session:
            mine = service.registrations(session, ctx.member_id, ctx.language, ctx.now)
        if not mine:
            return Turn([msg("class_none_registered")], state, done=True)
        state["mine"] = [o.class_id for _, o in mine]
        state["names"] = [item_name(o, ctx) for _, o in mine][:PAGE]
        if len(mine) == 1:
            state["asked"], state["class_id"], state["title"] = "confirm_cancel", mine[0][1].class_id, mine[0][1].title
        else:
            state["asked"] = "pick_cancel"
        return Turn([], state)
    if not any(state["wish"].values()):
        state["asked"] = "topic"
        return Turn([], state)
    return Turn(page(state, ctx), state)


def _misunderstood(state: dict, key: str) -> Turn:
    return misunderstood(state, key, "fallback_agent")


def understands(state: dict, text: str, ctx: ClassContext) -> bool:
    """Whether the message answers the question asked (a class number, yes/no, MORE, what class)."""
    if answer(text, ctx.language) is not None or regex.fullmatch(r"\s*[1-9]\s*[.)]?\s*", ascii_digits(text)):
        return True
    return has(phrases(ctx.language, "more"), normalise(text, ctx.language)) or read_wish(text, ctx.language, ctx.now.date()).anything()


def step(state: dict, text: str, ctx: ClassContext) -> Turn:
    asked = state.get("asked")
    reply = answer(text, ctx.language)
    digit = regex.fullmatch(r"\s*([1-9])\s*[.)]?\s*", ascii_digits(text))
    if asked == "pick_cancel":
        if digit and int(digit[1]) <= len(state.get("mine", [])):
            index = int(digit[1]) - 1
            state["class_id"], state["title"], state["asked"] = state["mine"][index], state["names"][index].split(",")[0], "confirm_cancel"
            return Turn([], state)
        return _misunderstood(state, "class_not_understood")
    if asked == "confirm_cancel":
        if reply == "yes":
            service.cancel(ctx.database_url, state["class_id"], ctx.member_id, ctx.now)
            return Turn([msg("class_cancelled", title=state.get("title", ""))], state, done=True)
        if reply == "no":
            return Turn([msg("class_kept", title=state.get("title", ""))], state, done=True)
        return _misunderstood(state, "class_not_understood_yes_no")
    if asked in ("confirm", "waitlist"):
        if reply == "yes":
            result, position = service.register(ctx.database_url, state["class_id"], ctx.member_id, ctx.language, ctx.now, waitlist=asked == "waitlist")
            with session_scope(ctx.database_url) as session:
                offer = service.offer_by_id(session, state["class_id"], ctx.language, ctx.now)
            title = offer.title if offer else ""
            if result == "registered":
                return Turn([msg("class_registered", title=title, when=format_when(offer.first_meeting, ctx.language), where=service.where_text(offer, ctx.language, ctx.channel))], state, done=True)
            if result == "waitlisted":
                return Turn([msg("class_waitlisted", title=title, position=position)], state, done=True)
            if result == "full":
                state["asked"] = "waitlist"
                return Turn([], state)
            if result == "already":
                return Turn([msg("class_already", title=title)], state, done=True)
            state["asked"] = None
            return Turn([msg("class_gone" if result == "gone" else "class_past")] + page(state, ctx), state)
        if reply == "no":
            if asked == "waitlist":
                return Turn([msg("class_stopped")], state, done=True)
            state["asked"] = "pick" if state.get("shown") else None
            if not state.get("shown"):
                return Turn([msg("class_stopped")], state, done=True)
            return Turn(page(state, ctx), state)
        return _misunderstood(state, "class_not_understood_yes_no")
    # pick, topic, or a new wish
    normal = normalise(text, ctx.language)
    if asked == "pick" and has(phrases(ctx.language, "more"), normal):
        state["page"] = state.get("page", 0) + 1
        return Turn(page(state, ctx), state)
    if asked == "pick" and digit:
        index = int(digit[1]) - 1
        shown = state.get("shown") or []
        if index < len(shown):
            state["class_id"], state["asked"], state["misunderstood"] = shown[index], "confirm", 0
            return Turn([], state)
        return _misunderstood(state, "class_not_understood")
    wish = read_wish(text, ctx.language, ctx.now.date())
    if wish.anything():
        merged = {k: v for k, v in _wish_dict(wish).items() if v not in (None, False, [], ())}
        state["wish"] = {**state["wish"], **merged}
        state["page"], state["misunderstood"] = 0, 0
        return Turn(page(state, ctx), state)
    if asked == "topic":
        service.record_demand(ctx.database_url, ctx.language, None, "topic")
        state["quiet"] = True
        return Turn([msg("class_no_topic", topics=topics_text(ctx.language))], state)
    return _misunderstood(state, "class_not_understood")
