"""`make talk`: text or "call" the running assistant from a terminal, signed exactly as Twilio signs.

    make talk                          # SMS from a demo member's phone
    make talk ARGS="--voice"           # a call from an unknown number (language menu first)
    make talk ARGS="--voice --from +12135550103"
    python -m ivr.talk --sms --from +13105550199 "hola" "cubren el dentista?"   # scripted turns

Voice: type what the caller says; "#5" presses 5 on the keypad; an empty line is silence.
"""
from __future__ import annotations

import argparse
import sys
import uuid
from urllib.parse import urljoin
from xml.etree import ElementTree

import requests

from careline.config import Settings
from ivr.signing import twilio_signature

DEMO_MEMBER = "+12135550101"


class Phone:
    def __init__(self, base_url: str, token: str, caller: str):
        self.base_url, self.token, self.caller = base_url.rstrip("/"), token, caller

    def post(self, path: str, params: dict[str, str]) -> ElementTree.Element:
        url = urljoin(self.base_url + "/", path.lstrip("/"))
        params = {"From": self.caller, "To": "+18885550100", **params}
        response = requests.post(url, data=params, headers={"X-Twilio-Signature": twilio_signature(self.token, url, params)}, timeout=30)
        if response.status_code != 200:
            raise SystemExit(f"HTTP {response.status_code}: {response.text[:200]}")
        return ElementTree.fromstring(response.content)


def sms_turn(phone: Phone, body: str) -> str:
    root = phone.post("/sms/incoming", {"Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"})
    return "\n".join(m.text or "" for m in root.iter("Message"))


def show_voice(root: ElementTree.Element) -> tuple[str | None, bool]:
    """Print what the caller hears; return the next action URL (None when the call ends)."""
    action, expects_digits = None, False
    for element in root.iter():
        if element.tag == "Say":
            slow = " (slowly)" if element.find("prosody") is not None else ""
            print(f"  🔊 [{element.get('language') or '-'} / {element.get('voice') or 'default'}]{slow} {''.join(element.itertext())}")
        elif element.tag == "Gather":
            action = element.get("action")
            expects_digits = element.get("finishOnKey") == "#"
            print(f"  ⌨  (listening: speech in {element.get('language')}, keypad{'; end with #' if expects_digits else ''})")
        elif element.tag == "Number":
            print(f"  ☎  transferring to {element.text}" + (" (whisper to the person answering)" if element.get("url") else ""))
        elif element.tag == "Conference":
            print(f"  ⏳ waiting in conference {element.text} (the hold message plays until a nurse accepts)")
        elif element.tag == "Hangup":
            print("  (the assistant hangs up)")
    return action, expects_digits


def _latest_outbound(settings: Settings) -> int:
    from sqlalchemy import func, select

    from careline.db import session_scope
    from careline.models import OutboundRecord

    try:
        with session_scope(settings.database_url) as session:
            return session.scalar(select(func.max(OutboundRecord.id))) or 0
    except Exception:  # noqa: BLE001
        return 0


def show_outbound(settings: Settings, after_id: int) -> int:
    """Print what the local transport recorded instead of calling or texting (no Twilio credentials)."""
    import json

    from sqlalchemy import select

    from careline.db import session_scope
    from careline.models import OutboundRecord

    try:
        with session_scope(settings.database_url) as session:
            rows = session.scalars(select(OutboundRecord).where(OutboundRecord.id > after_id).order_by(OutboundRecord.id)).all()
            for row in rows:
                detail = json.loads(row.detail or "{}")
                print(f"  📤 (local transport) {row.kind} {row.to} -> {detail.get('url') or detail.get('body', '')}")
                after_id = row.id
    except Exception:  # noqa: BLE001 - a simulator convenience, never a reason to stop
        pass
    return after_id


def remind(settings: Settings, phone: str) -> None:
    """Send the evening-before reminder of the member's next ride now (the worker's clock moved ahead)."""
    import datetime as dt

    from sqlalchemy import select

    from careline.db import session_scope
    from careline.gateway import gateway_for
    from careline.models import Member, Ride
    from careline.outbox import Worker, default_schedulers
    from careline.rides.rules import local_now, to_utc
    from careline.rides.service import OPEN_STATUSES

    with session_scope(settings.database_url) as session:
        ride = session.scalars(select(Ride).join(Member, Member.id == Ride.member_id)
                               .where(Member.phone == phone, Ride.status.in_(OPEN_STATUSES), Ride.pickup_local > local_now())
                               .order_by(Ride.pickup_local).limit(1)).first()
        pickup = ride.pickup_local if ride else None
    if pickup is None:
        print("(no ride coming up for this number: book one first)")
        return
    evening = to_utc(dt.datetime.combine(pickup.date() - dt.timedelta(days=1), dt.time(18, 5)))
    seen = _latest_outbound(settings)
    counts = Worker(settings, gateway_for(settings), schedulers=default_schedulers()).run_once(evening)
    print(f"(outbox worker at 6:05 p.m. the evening before the ride: {counts})")
    show_outbound(settings, seen)


def main(argv: list[str] | None = None) -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voice", action="store_true", help="make a call instead of texting")
    parser.add_argument("--from", dest="caller", default=None, help="the caller's phone number")
    parser.add_argument("--url", default=f"http://127.0.0.1:{settings.port}")
    parser.add_argument("--remind", action="store_true",
                        help="run the outbox worker once as if it were 6:05 p.m. the evening before this member's next ride, then text")
    parser.add_argument("turns", nargs="*", help="scripted turns instead of typing")
    args = parser.parse_args(argv)
    caller = args.caller or ("+13105550199" if args.voice else DEMO_MEMBER)
    if args.remind:
        remind(settings, caller)
    phone = Phone(args.url, settings.twilio_auth_token, caller)
    scripted = list(args.turns)

    def ask(prompt: str) -> str | None:
        if args.turns:
            if not scripted:
                return None
            line = scripted.pop(0)
            print(f"{prompt}{line}")
            return line
        try:
            return input(prompt)
        except EOFError:
            return None

    if not args.voice:
        print(f"Texting the assistant at {args.url} from {caller}. Ctrl-D to stop.")
        while (line := ask("you> ")) is not None:
            print(f"assistant> {sms_turn(phone, line)}\n")
        return
    print(f"Calling the assistant at {args.url} from {caller}. '#digits' presses keys, empty line is silence.")
    call_sid = f"CA{uuid.uuid4().hex}"
    seen = _latest_outbound(settings)
    action, _ = show_voice(phone.post("/voice/incoming", {"CallSid": call_sid}))
    while action:
        line = ask("caller> ")
        if line is None:
            break
        params = {"CallSid": call_sid}
        if line.startswith("#"):
            params["Digits"] = line[1:].strip()
        elif line.strip():
            params["SpeechResult"] = line.strip()
            params["Confidence"] = "0.9"
        action, _ = show_voice(phone.post(action, params))
        seen = show_outbound(settings, seen)
    print("(call ended)")


if __name__ == "__main__":
    main(sys.argv[1:])
