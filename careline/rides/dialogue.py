"""The ride conversation: book, change and cancel, as a small state machine over plain data.

The Rasa form `ride_form` hands every answer to `step()` and asks the next question with `ask()`.
Each message is read for every ride field (any order, all in one message); the rules of the benefit
(careline/rides/rules.py) are applied as soon as the fields they need are known, so a member hears
why a day cannot work right away and what to do instead. Messages are catalog keys with parameters;
the webhook renders them in the member's language.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import regex

from careline.formats import format_day, format_time, format_when
from careline.rides import rules as R
from careline.rides import service
from careline.rides.extract import Said, answer, read, strip_code
from careline.text import ascii_digits
from careline.turns import Turn, misunderstood, msg


@dataclass
class RideView:
    code: str
    pickup: dt.datetime
    appointment: dt.datetime
    destination_kind: str
    status: str
    eta: int | None = None


@dataclass
class Context:
    """What the dialogue may know about the identified member, loaded by the action each turn."""

    database_url: str
    language: str
    channel: str
    now: dt.datetime  # local
    member_id: int
    home_address: str
    mobility: str
    recent: dict[str, str] = field(default_factory=dict)  # destination kind -> last address
    rides: list[RideView] = field(default_factory=list)
    booked_by: str = "member"
    translate_note: object = None  # callable(text, language) -> (english, machine) for driver notes


def start(task: str, text: str, ctx_language: str, today: dt.date, code: str | None = None) -> dict:
    """The state for a new ride conversation, with whatever the first message already said."""
    state = {"task": task, "fields": {}, "asked": None, "misunderstood": 0, "code": code}
    if task == "book":
        said = read(text, ctx_language, today)
        if said.not_allowed and not said.destination_kind:
            said.address = None
        merge(state["fields"], said)
    else:
        state["code"] = code or strip_code(text)
        said = read(text, ctx_language, today)
        if said.date:
            state["on_day"] = said.date.isoformat()
    return state


def merge(fields: dict, said: Said) -> None:
    """Put what a message said into the draft (later answers replace earlier ones)."""
    simple = {
        "destination_kind": said.destination_kind, "mobility": said.mobility, "companion": said.companion, "car_seat": said.car_seat,
        "return_mode": said.return_mode,
    }
    for name, value in simple.items():
        if value is not None:
            fields[name] = value
    if said.date:
        fields["date"] = said.date.isoformat()
    if said.time:
        fields["time"] = said.time.strftime("%H:%M")
    if said.return_time:
        fields["return_time"] = said.return_time.strftime("%H:%M")
    if said.recurring and said.weekdays:
        fields["weekdays"] = said.weekdays
    if said.until:
        fields["until"] = said.until.isoformat()
    if said.discharge:
        fields["discharge"] = True
    if said.notes:
        fields["notes"] = said.notes[:300]
    if said.address and not fields.get("destination_address"):
        fields["destination_address"] = said.address


# --- asking -----------------------------------------------------------------------------------
def next_question(state: dict, ctx: Context) -> str:
    f = state["fields"]
    if state["task"] != "book":
        return state.get("asked") or "pick_ride"
    if not f.get("date") and not f.get("time"):
        return "when"
    if not f.get("date"):
        return "date"
    if not f.get("time"):
        return "time"
    if not f.get("destination_address"):
        return "destination"
    if f.get("weekdays") and not f.get("until"):
        return "until"
    if not f.get("return_mode"):
        return "return"
    return "confirm"


# Questions a caller may also answer on the keypad (MMDD, HHMM, 1/2), by their catalog key.
KEYPAD_QUESTIONS = {"when": "ride_ask_when", "date": "ride_ask_date", "time": "ride_ask_time", "until": "ride_ask_until", "return": "ride_ask_return"}


def ask(state: dict, ctx: Context) -> list[dict]:
    """The question for what is still missing (or the summary to confirm)."""
    question = state.get("asked") if state.get("asked") in ("change_what", "which_address", "confirm_cancel", "new_time", "pick_ride", "recent") else next_question(state, ctx)
    state["asked"] = question
    f = state["fields"]
    digits = {"expects": "digits"} if ctx.channel == "voice" else {}
    if question in KEYPAD_QUESTIONS:
        return [{**msg(KEYPAD_QUESTIONS[question]), **digits}]
    if question == "destination":
        kind = f.get("destination_kind")
        if kind and ctx.recent.get(kind) and not f.get("_declined_recent"):
            state["asked"] = "recent"
            return [{**msg("ride_offer_recent", place=ctx.recent[kind]), **digits}]
        return [msg("ride_ask_destination")]
    if question == "confirm":
        return [summary(state, ctx), {**msg("ride_ask_confirm"), **digits}]
    if question == "change_what":
        return [msg("ride_ask_change_what")]
    if question == "which_address":
        return [{**msg("ride_ask_which_address", address=f.get("_pending_address", "")), **digits}]
    if question == "pick_ride":
        return pick_list(ctx)
    if question == "confirm_cancel":
        ride = find_ride(ctx, state.get("code"))
        return [{**msg("ride_ask_cancel", code=ride.code, when=format_when(ride.pickup, ctx.language)), **digits}] if ride else [msg("ride_none_upcoming")]
    if question == "new_time":
        ride = find_ride(ctx, state.get("code"))
        return [{**msg("ride_ask_new_time", code=ride.code, when=format_when(ride.pickup, ctx.language)), **digits}] if ride else [msg("ride_none_upcoming")]
    return [msg("ride_ask_when")]


def pick_list(ctx: Context) -> list[dict]:
    items = [{"name": f"{ride.code} {format_when(ride.pickup, ctx.language)}"} for ride in ctx.rides[:3]]
    return [{**msg("ride_pick"), "list": {"param": "ride_list", "item_key": "ride_list_item", "items": items}, **({"expects": "digits"} if ctx.channel == "voice" else {})}]


def vehicle_key(mobility: str) -> str:
    return f"ride_vehicle_{mobility}"


def summary(state: dict, ctx: Context) -> dict:
    f = state["fields"]
    appointment = dt.datetime.combine(dt.date.fromisoformat(f["date"]), dt.time.fromisoformat(f["time"]))
    pickup = R.pickup_time(appointment)
    extras = []
    if f.get("companion"):
        extras.append(["ride_extra_companion", {}])
    if f.get("car_seat"):
        extras.append(["ride_extra_car_seat", {}])
    if f.get("notes"):
        extras.append(["ride_extra_notes", {"notes": f["notes"]}])
    if f.get("return_mode") == "time" and f.get("return_time"):
        back = ["ride_return_time", {"time": format_time(dt.time.fromisoformat(f["return_time"]), ctx.language)}]
    elif f.get("return_mode") == "will_call":
        back = ["ride_return_will_call", {}]
    else:
        back = ["ride_return_none", {}]
    key = "ride_summary_standing" if f.get("weekdays") else "ride_summary"
    return {
        "key": key,
        "params": {
            "day": format_day(appointment.date(), ctx.language), "time": format_time(appointment.time(), ctx.language),
            "pickup_time": format_time(pickup.time(), ctx.language), "pickup": f.get("pickup_address") or ctx.home_address,
            "destination": f.get("destination_address", ""), "until": format_day(dt.date.fromisoformat(f["until"]), ctx.language) if f.get("until") else "",
            "weekdays": weekday_names(f.get("weekdays") or [], ctx.language),
        },
        "subkeys": {"vehicle": [vehicle_key(f.get("mobility") or ctx.mobility), {}], "return": back, "extras": extras},
    }


def weekday_names(days: list[int], language: str) -> str:
    from careline.formats import weekday_name

    return ", ".join(weekday_name(day, language) for day in days)


def find_ride(ctx: Context, code: str | None) -> RideView | None:
    return next((ride for ride in ctx.rides if ride.code == code), None)


# --- answering --------------------------------------------------------------------------------
def understands(state: dict, text: str, ctx: Context) -> bool:
    """Whether the message answers the question asked (a day, an address, yes, a ride's number...)."""
    if answer(text, ctx.language) is not None or regex.fullmatch(r"\s*\d{1,4}\s*", ascii_digits(text)) or strip_code(text):
        return True
    said = read(text, ctx.language, ctx.now.date(), keypad=_keypad(state.get("asked")))
    if said.destination_kind and state.get("asked") not in ("destination", "recent"):
        said.destination_kind = None  # "is dental covered?" names no place while a day is asked for
    return said.anything()


def step(state: dict, text: str, ctx: Context) -> Turn:
    """Take one answer; return what to say (questions come from ask()) and whether the form ends."""
    if state["task"] == "book":
        return _book_step(state, text, ctx)
    return _ride_task_step(state, text, ctx)


def _keypad(asked: str | None) -> str | None:
    return {"when": "date", "date": "date", "until": "date", "time": "time"}.get(asked or "")


def _misunderstood(state: dict, key: str) -> Turn:
    return misunderstood(state, key, "ride_give_up")


def _book_step(state: dict, text: str, ctx: Context) -> Turn:
    f = state["fields"]
    asked = state.get("asked")
    today = ctx.now.date()
    said = read(text, ctx.language, today, keypad=_keypad(asked))
    reply = answer(text, ctx.language)
    notes: list[dict] = []

    if asked == "recent":
        if reply == "yes":
            f["destination_address"] = ctx.recent.get(f.get("destination_kind", ""), "")
            state["asked"] = None
            return _checked(state, ctx, notes)
        if reply == "no" and not said.address:
            f["_declined_recent"] = True
            state["asked"] = None
            return Turn(notes, state)
        state["asked"] = None
    if asked == "which_address":
        address = f.pop("_pending_address", None)
        digit = ascii_digits(text).strip()
        state["asked"] = None
        if address and (digit == "1" or reply == "yes"):
            f["pickup_address"] = address
        elif address and digit == "2":
            f["destination_address"] = address
        return _checked(state, ctx, notes)
    if asked == "confirm":
        if reply == "yes":
            return _book(state, ctx)
        if reply == "no" and not said.anything():
            state["asked"] = "change_what"
            return Turn([], state)
    if asked == "change_what":
        state["asked"] = None
    if asked == "return" and said.return_mode is None:
        if reply == "no":
            said.return_mode = "none"
        else:
            back = read(text, ctx.language, today, keypad="time")
            if back.time:
                said.return_mode, said.return_time, said.time = "time", back.time, None
    if asked == "until" and said.date and not said.until:
        said.until, said.date = said.date, None

    if not said.anything() and not (said.date_problem):
        key = {"when": "ride_not_understood_when", "date": "ride_not_understood_when", "time": "ride_not_understood_time",
               "destination": "ride_not_understood_destination", "until": "ride_not_understood_until", "return": "ride_not_understood_return",
               "confirm": "ride_not_understood_confirm"}.get(asked or "", "ride_not_understood_when")
        return _misunderstood(state, key)
    state["misunderstood"] = 0
    if said.date_problem:
        notes.append(msg("ride_bad_date_impossible" if said.date_problem == "impossible_date" else "ride_bad_date_past"))
    address, said.address = said.address, None
    if said.not_allowed and not said.destination_kind:
        notes.append(msg("ride_refused_destination"))  # a trip the benefit does not cover: keep no address for it
        address = None
    merge(f, said)
    if address:
        if asked in ("confirm", "change_what") and f.get("destination_address"):
            f["_pending_address"] = address
            state["asked"] = "which_address"
        else:
            f["destination_address"] = address
    if said.home and asked in ("confirm", "change_what"):
        f.pop("pickup_address", None)
    return _checked(state, ctx, notes)


def _checked(state: dict, ctx: Context, notes: list[dict]) -> Turn:
    """Apply the rules to what is known so far; drop a field the rules refuse and say why."""
    f = state["fields"]
    if f.get("destination_kind") and R.check_destination(f["destination_kind"]):
        notes.append(msg("ride_refused_destination"))
        f.pop("destination_kind")
    if f.get("date") and f.get("time"):
        appointment = dt.datetime.combine(dt.date.fromisoformat(f["date"]), dt.time.fromisoformat(f["time"]))
        refusal = R.check_time(appointment, ctx.now, f.get("mobility") or ctx.mobility, bool(f.get("discharge")))
        if refusal and refusal.rule == "notice" and f.get("weekdays"):
            # A standing order starts on its first weekday that the notice allows (the summary says which).
            first = refusal.params["earliest"]
            while first.weekday() not in f["weekdays"]:
                first += dt.timedelta(days=1)
            f["date"] = first.isoformat()
            refusal = None
        if refusal:
            notes.append(refusal_message(refusal, ctx))
            if refusal.rule == "service_hours":
                f.pop("time")
            else:
                f.pop("date")
                f.pop("weekdays", None)
    return Turn(notes, state)


def refusal_message(refusal: R.Refusal, ctx: Context) -> dict:
    p = refusal.params
    if refusal.rule == "notice":
        return msg("ride_refused_notice", days=p["days"], earliest=format_day(p["earliest"], ctx.language))
    if refusal.rule == "service_hours":
        return msg("ride_refused_hours", first=format_time(p["first"], ctx.language), last=format_time(p["last"], ctx.language))
    if refusal.rule == "past":
        return msg("ride_bad_date_past")
    if refusal.rule == "overlap":
        return msg("ride_refused_overlap", when=format_when(p["pickup"], ctx.language))
    if refusal.rule == "duplicate":
        return msg("ride_refused_duplicate", code=p.get("code", ""))
    if refusal.rule == "standing_order_end":
        return msg("ride_refused_standing_end")
    return msg("ride_refused_destination")


def _book(state: dict, ctx: Context) -> Turn:
    f = state["fields"]
    if not f.get("destination_kind"):
        f["destination_kind"] = "medical"
    appointment = dt.datetime.combine(dt.date.fromisoformat(f["date"]), dt.time.fromisoformat(f["time"]))
    booking = service.Booking(
        member_id=ctx.member_id, language=ctx.language, channel=ctx.channel, appointment=appointment,
        pickup_address=f.get("pickup_address") or ctx.home_address, destination_kind=f["destination_kind"],
        destination_address=f["destination_address"], mobility=f.get("mobility") or ctx.mobility, companion=bool(f.get("companion")),
        car_seat=bool(f.get("car_seat")), return_mode=f.get("return_mode") or "none",
        return_time=dt.time.fromisoformat(f["return_time"]) if f.get("return_time") else None, notes=f.get("notes"),
        discharge=bool(f.get("discharge")), weekdays=f.get("weekdays") or [],
        until=dt.date.fromisoformat(f["until"]) if f.get("until") else None, booked_by=ctx.booked_by,
    )
    outcome = service.book(ctx.database_url, booking, ctx.now)
    if outcome.refusal:
        if outcome.refusal.rule == "duplicate":
            return Turn([refusal_message(outcome.refusal, ctx)], state, done=True)
        state["asked"] = None
        f.pop("date", None)
        return Turn([refusal_message(outcome.refusal, ctx)], state)
    pickup = R.pickup_time(appointment)
    code = outcome.standing_code or outcome.codes[0]
    messages = [msg("ride_booked_standing" if outcome.standing_code else "ride_booked", code=" ".join(code) if ctx.channel == "voice" else code,
                    count=len(outcome.codes), when=format_when(pickup, ctx.language))]
    if outcome.pending_pcs:
        messages.append(msg("ride_pending_pcs"))
    if f.get("return_mode") == "will_call":
        messages.append(msg("ride_will_call_howto"))
    return Turn(messages, state, done=True)


# --- change and cancel --------------------------------------------------------------------------
def choose_ride(state: dict, ctx: Context) -> str | None:
    """Which ride the member means: a code, a day, the only one, else None (ask)."""
    if state.get("code") and find_ride(ctx, state["code"]):
        return state["code"]
    if state.get("on_day"):
        day = dt.date.fromisoformat(state["on_day"])
        on_day = [ride for ride in ctx.rides if ride.pickup.date() == day]
        if len(on_day) == 1:
            return on_day[0].code
    if len(ctx.rides) == 1:
        return ctx.rides[0].code
    return None


def opening(state: dict, ctx: Context) -> Turn:
    """First move of a change or cancel: no rides, the one ride, or a list to pick from."""
    if not ctx.rides:
        return Turn([msg("ride_none_upcoming")], state, done=True)
    code = choose_ride(state, ctx)
    if code:
        state["code"] = code
        state["asked"] = "confirm_cancel" if state["task"] == "cancel" else "new_time"
    else:
        state["asked"] = "pick_ride"
    return Turn([], state)


def _ride_task_step(state: dict, text: str, ctx: Context) -> Turn:
    asked = state.get("asked")
    reply = answer(text, ctx.language)
    if asked == "pick_ride":
        digit = regex.fullmatch(r"\s*([1-3])\s*", ascii_digits(text))
        code = strip_code(text)
        said = read(text, ctx.language, ctx.now.date())
        if digit and int(digit[1]) <= len(ctx.rides):
            code = ctx.rides[int(digit[1]) - 1].code
        elif said.date:
            state["on_day"] = said.date.isoformat()
            code = choose_ride({**state, "code": code}, ctx)
        if not code or not find_ride(ctx, code):
            return _misunderstood(state, "ride_not_understood_pick")
        state["code"], state["misunderstood"] = code, 0
        state["asked"] = "confirm_cancel" if state["task"] == "cancel" else "new_time"
        return Turn([], state)
    if asked == "confirm_cancel":
        if reply == "yes":
            result = service.cancel(ctx.database_url, ctx.member_id, state["code"], ctx.now)
            key = {"cancelled": "ride_cancelled", "too_late": "ride_cancel_too_late", "already": "ride_already_closed"}.get(result, "ride_none_upcoming")
            return Turn([msg(key, code=state["code"])], state, done=True)
        if reply == "no":
            return Turn([msg("ride_kept", code=state["code"])], state, done=True)
        return _misunderstood(state, "ride_not_understood_confirm")
    if asked == "new_time":
        said = read(text, ctx.language, ctx.now.date(), keypad="date")
        ride = find_ride(ctx, state["code"])
        if said.date_problem:
            return Turn([msg("ride_bad_date_impossible" if said.date_problem == "impossible_date" else "ride_bad_date_past")], state)
        if not (said.date or said.time or said.address):
            return _misunderstood(state, "ride_not_understood_when")
        if said.address and not (said.date or said.time):
            state["fields"]["_pending_address"], state["asked"] = said.address, "which_address"  # pickup or destination?
            return Turn([], state)
        day = said.date or ride.appointment.date()
        time = said.time or ride.appointment.time()
        appointment = dt.datetime.combine(day, time) if (said.date or said.time) else None
        result, refusal = service.change(ctx.database_url, ctx.member_id, ride.code, ctx.now, appointment=appointment,
                                         destination_address=said.address)
        if result == "changed":
            when = R.pickup_time(appointment) if appointment else ride.pickup
            return Turn([msg("ride_changed", code=ride.code, when=format_when(when, ctx.language))], state, done=True)
        if result == "too_late":
            return Turn([msg("ride_cancel_too_late", code=ride.code)], state, done=True)
        if refusal:
            return Turn([refusal_message(refusal, ctx)], state)
        return Turn([msg("ride_none_upcoming")], state, done=True)
    if asked == "which_address":
        digit = ascii_digits(text).strip()
        if digit not in ("1", "2"):
            return _misunderstood(state, "ride_not_understood_pick")
        address = state["fields"].pop("_pending_address")
        ride = find_ride(ctx, state["code"])
        where = {"pickup_address": address} if digit == "1" else {"destination_address": address}
        result, _ = service.change(ctx.database_url, ctx.member_id, ride.code, ctx.now, **where)
        if result == "too_late":
            return Turn([msg("ride_cancel_too_late", code=ride.code)], state, done=True)
        return Turn([msg("ride_changed", code=ride.code, when=format_when(ride.pickup, ctx.language))], state, done=True)
    return Turn([], state)
