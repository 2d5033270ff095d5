"""`make bench`: turn latency and throughput of the signed webhook against a bare Rasa REST turn.

Starts its own Rasa server, action server and webhook (waitress) on spare ports and a fresh SQLite
database, then drives the same simulated SMS conversations (1, 10 and 50 at once) twice: through the
signed webhook (signature, dedupe, language, safety screen, Rasa, data, TwiML) and straight to Rasa's
REST channel on the same model (the floor). Prints p50/p95/p99 turn latency, turns per second and the
ratios; then p95 per language through the webhook, the safety screen's figures per language, ride
bookings (turns to a confirmation code and turn latency during a booking) and the outbox worker's
throughput.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from careline.config import Settings  # noqa: E402
from careline.db import migrate  # noqa: E402
from careline.languages import languages  # noqa: E402
from careline.processes import Stack, base_env  # noqa: E402
from careline.safety import screen  # noqa: E402
from careline.seed import seed  # noqa: E402
from ivr.signing import twilio_signature  # noqa: E402

TOKEN = "bench-auth-token"
CONVERSATION = ["hi", "is dental covered", "how do I opt out of cal mediconnect", "what about eyeglasses", "thanks"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def webhook_turn(session: requests.Session, url: str, phone: str, body: str) -> None:
    params = {"From": phone, "To": "+18885550100", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
    response = session.post(url, data=params, headers={"X-Twilio-Signature": twilio_signature(TOKEN, url, params)}, timeout=60)
    assert response.status_code == 200 and b"<Message>" in response.content, response.text[:200]


def rasa_turn(session: requests.Session, url: str, phone: str, body: str) -> None:
    response = session.post(url, json={"sender": phone, "message": body, "metadata": {"language": "en", "channel": "sms"}}, timeout=60)
    assert response.status_code == 200 and response.json(), response.text[:200]


def run_level(turn, url: str, concurrency: int, conversations_each: int, script: list[str]) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    run_offset = int(uuid.uuid4().int % 1000) * 100_000  # a fresh set of texters per run

    def worker(index: int) -> None:
        session = requests.Session()
        for number in range(conversations_each):
            phone = f"+1{3100000000 + run_offset + index * 1000 + number}"
            for body in script:
                started = time.perf_counter()
                turn(session, url, phone, body)
                with lock:
                    latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def report(label: str, latencies: list[float], seconds: float) -> dict:
    figures = {"p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000, "p99": percentile(latencies, 99) * 1000, "tps": len(latencies) / seconds}
    print(f"  {label:9} turns={len(latencies):4}  p50={figures['p50']:6.1f} ms  p95={figures['p95']:6.1f} ms  p99={figures['p99']:6.1f} ms  {figures['tps']:5.1f} turns/s")
    return figures


def signed_post(session: requests.Session, url: str, params: dict) -> requests.Response:
    return session.post(url, data=params, headers={"X-Twilio-Signature": twilio_signature(TOKEN, url, params)}, timeout=60)


def language_figures(webhook_url: str, rounds: int) -> None:
    """p50 and p95 of a turn per language through the webhook: the same intents in every language
    (one held-out utterance each), so that languages are compared on the same work."""
    print(f"\np95 per language through the webhook (1 conversation at a time, one held-out utterance per intent, {rounds} rounds, after a warm-up):")
    english_p95 = None
    scripts = {}
    for code in languages():
        rows = yaml.safe_load((ROOT / "tests" / "data" / "eval" / f"{code}.yml").read_text(encoding="utf-8"))["utterances"]
        # The same intents in every language (one held-out utterance each), so that languages are
        # compared on the same work: forms, actions and plain answers alike.
        first = {}
        for row in rows:
            first.setdefault(row["intent"], row["text"])
        scripts[code] = [text for intent, text in sorted(first.items()) if intent not in ("emergency", "crisis")]
        run_level(webhook_turn, webhook_url, 1, 1, scripts[code][:5])
    # Rounds taken in turn across the languages, so that a slow minute of the machine falls on all of them.
    measured: dict[str, list[float]] = {code: [] for code in scripts}
    for _ in range(rounds):
        for code, script in scripts.items():
            latencies = run_level(webhook_turn, webhook_url, 1, 1, script)[0]
            measured[code] += latencies
    for code, latencies in measured.items():
        p50, p95 = percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000
        english_p95 = english_p95 or p95
        # The slowest utterance by its median over the rounds: a message that is always slow shows here
        # even when it is too few turns to move the p95.
        per_text = [sorted(latencies[i::len(scripts[code])])[rounds // 2] * 1000 for i in range(len(scripts[code]))]
        slowest = max(range(len(per_text)), key=per_text.__getitem__)
        print(f"  {code}: turns={len(latencies):4}  p50={p50:6.1f} ms  p95={p95:6.1f} ms  ({p95 / english_p95:.2f}x English, goal <= 1.3x)"
              f"  slowest message (median) {per_text[slowest]:6.1f} ms: {scripts[code][slowest][:40]!r}")


RIDE_CODE = re.compile(r"\bR[A-HJ-NP-Z2-9]{5}\b")


def booking_figures(webhook_url: str, bookings: int = 8) -> None:
    """Full SMS bookings through the webhook by a member on file (caller ID + date of birth)."""
    from careline.rides.rules import earliest_day

    session = requests.Session()
    base = earliest_day(dt.datetime.now(), "gurney") + dt.timedelta(days=7)
    scripts = {
        "all in one message": lambda day: [f"I need a ride to the clinic at 77 Oak Ave on {day.month}/{day.day} at 10am, no ride home", "07/02/1951", "yes"],
        "one answer at a time": lambda day: ["I need a ride", "07/02/1951", f"{day.month}/{day.day} at 10am", "77 Oak Ave", "no", "yes"],
    }
    print("\nride bookings by SMS through the webhook (member on file; identification is the date-of-birth turn):")
    offset = 0
    for label, script in scripts.items():
        turns, latencies = [], []
        for _ in range(bookings):
            day = base + dt.timedelta(days=offset)
            offset += 1
            for count, body in enumerate(script(day), start=1):
                params = {"From": "+12135550102", "To": "+18885550100", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
                started = time.perf_counter()
                response = session.post(webhook_url, data=params, headers={"X-Twilio-Signature": twilio_signature(TOKEN, webhook_url, params)}, timeout=60)
                latencies.append(time.perf_counter() - started)
                if RIDE_CODE.search(response.text):
                    turns.append(count)
                    break
            else:
                turns.append(None)
        done = [t for t in turns if t]
        print(f"  {label}: {len(done)}/{bookings} booked in {statistics.median(done) if done else 0:.0f} turns "
              f"({statistics.median(done) - 1 if done else 0:.0f} without identification)   "
              f"turn p50={statistics.median(latencies) * 1000:.0f} ms p95={percentile(latencies, 95) * 1000:.0f} ms")


def class_figures(settings: Settings, webhook_url: str, seats: int = 5, members: int = 50) -> None:
    """Turns from "sign me up" to confirmed by SMS, and the last seats taken by many members at once."""
    from concurrent.futures import ThreadPoolExecutor

    from careline.classes import service
    from careline.db import session_scope
    from careline.models import ClassMeeting, HealthClass, Member
    from careline.rides.rules import local_now

    session = requests.Session()
    turns = []
    for body_script in (["sign me up for the diabetes class", "10/01/1950", "1", "yes"], ["sign me up for the stress and sleep class", "yes"]):
        for count, body in enumerate(body_script, start=1):
            params = {"From": "+12135550112", "To": "+18885550100", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
            reply = session.post(webhook_url, data=params, headers={"X-Twilio-Signature": twilio_signature(TOKEN, webhook_url, params)}, timeout=60).text
            if "signed up" in reply:
                turns.append(count)
                break
    print(f"\nclass registration by SMS through the webhook: {turns[0] if turns else '-'} turns from 'sign me up for the diabetes class' "
          f"to confirmed (identification and a choice among classes included); {turns[1] if len(turns) > 1 else '-'} turns for a class "
          f"with a single match, already identified (goal <= 4)")
    with session_scope(settings.database_url) as db:
        item = HealthClass(topic="asthma", language="en", format="phone", call_in="+12135550175", capacity=seats)
        db.add(item)
        db.flush()
        db.add(ClassMeeting(class_id=item.id, starts_local=local_now() + dt.timedelta(days=3)))
        crowd = [Member(member_number=f"7{n:08d}", first_name="B", last_name="B", dob=dt.date(1950, 1, 1), language="en") for n in range(members)]
        db.add_all(crowd)
        db.flush()
        class_id, ids = item.id, [m.id for m in crowd]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda m: service.register(settings.database_url, class_id, m, "en", local_now(), waitlist=True)[0], ids))
    print(f"  {members} members at once for the last {seats} seats: {outcomes.count('registered')} registered, "
          f"{outcomes.count('waitlisted')} on the waiting list, in {time.perf_counter() - started:.2f} s")


def outbox_figures(settings: Settings, messages: int = 2000) -> None:
    """How many messages per second the worker hands to the gateway (local transport, SQLite)."""
    from careline.db import session_scope
    from careline.gateway import LocalTransport
    from careline.models import utcnow
    from careline.outbox import Worker, enqueue
    from careline.rides.rules import to_local, to_utc

    # The worker's clock at the next noon in Los Angeles: every message is due and none is in quiet hours.
    noon = to_utc(dt.datetime.combine(to_local(utcnow()).date() + dt.timedelta(days=1), dt.time(12)))
    run = uuid.uuid4().hex[:6]
    with session_scope(settings.database_url) as session:
        for n in range(messages):
            enqueue(session, key=f"bench:{run}:{n}", purpose="ride_update", to_phone=f"+1213555{n % 10000:04d}", language="en",
                    body="L.A. Care: your driver is on the way.")
    worker = Worker(settings, LocalTransport(settings.database_url, "+18885550100"), batch=200)
    started = time.perf_counter()
    sent = 0
    while sent < messages:
        passed = worker.run_once(noon).get("sent", 0)
        if not passed:
            raise SystemExit("outbox benchmark: a pass sent nothing")
        sent += passed
    seconds = time.perf_counter() - started
    print(f"\noutbox worker: {messages} messages handed to the gateway in {seconds:.1f} s = {messages / seconds:.0f} messages/s "
          f"(one worker, SQLite, local transport recording each send)")


def nurse_figures(settings: Settings, calls: int = 20) -> None:
    """Request-to-dial time of a warm transfer (the REST call goes to the local transport), and how long
    the nurse's whisper takes to speak (at 150 words a minute)."""
    from xml.etree import ElementTree

    from sqlalchemy import select

    from careline.db import session_scope
    from careline.models import Handoff

    base = "http://127.0.0.1:25000"
    session = requests.Session()
    latencies = []
    for number in range(calls):
        call_sid = f"CA{uuid.uuid4().hex}"
        caller = "+12135550102" if number % 2 else "+12135550101"
        speech = "quiero hablar con una enfermera, tengo fiebre y me duele la garganta" if number % 2 else "I need to talk to a nurse, I have a fever and my throat hurts"
        signed_post(session, f"{base}/voice/incoming", {"CallSid": call_sid, "From": caller})
        started = time.perf_counter()
        response = signed_post(session, f"{base}/voice/gather?step=talk&turn=1", {"CallSid": call_sid, "From": caller, "SpeechResult": speech})
        latencies.append(time.perf_counter() - started)
        assert b"<Conference" in response.content, response.text[:300]
    with session_scope(settings.database_url) as db:
        ids = list(db.scalars(select(Handoff.id).order_by(Handoff.id.desc()).limit(calls)))
    seconds = []
    for handoff_id in ids:
        root = ElementTree.fromstring(signed_post(session, f"{base}/voice/nurse/whisper?handoff={handoff_id}", {"CallSid": "CAbench"}).content)
        words = sum(len((say.text or "").split()) for say in root.iter("Say"))
        seconds.append(words / 2.5)
    print(f"\nnurse warm transfer ({calls} calls, English and Spanish):")
    print(f"  request to nurse dialled (whole turn, local transport): p50={percentile(latencies, 50) * 1000:.0f} ms  p95={percentile(latencies, 95) * 1000:.0f} ms  (goal < 1000 ms)")
    print(f"  whisper spoken length at 150 words/min: median={statistics.median(seconds):.1f} s  max={max(seconds):.1f} s  (goal < 20 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--turns", type=int, default=250, help="turns per level and target (at least)")
    parser.add_argument("--language-rounds", type=int, default=4, help="passes over each language's held-out intents")
    parser.add_argument("--only", choices=("rides-classes", "languages"), help="only the ride, class and outbox figures")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="careline-bench-"))
    settings = Settings(database_url=f"sqlite:///{workdir / 'bench.db'}", twilio_auth_token=TOKEN, privacy_key="bench")
    migrate(settings.database_url)
    seed(settings)
    env = base_env(DATABASE_URL=settings.database_url, TWILIO_AUTH_TOKEN=TOKEN, PRIVACY_KEY="bench", LOG_LEVEL="WARNING", PUBLIC_BASE_URL="")
    stack = Stack(env, rasa_port=25005, action_port=25055, webhook_port=25000, quiet=True).start(timeout=240)
    webhook_url, rasa_url = "http://127.0.0.1:25000/sms/incoming", "http://127.0.0.1:25005/webhooks/rest/webhook"
    try:
        if args.only == "languages":
            run_level(webhook_turn, webhook_url, 2, 1, CONVERSATION)  # warm-up
            language_figures(webhook_url, args.language_rounds)
            return
        if args.only:
            booking_figures(webhook_url)
            class_figures(settings, webhook_url)
            outbox_figures(settings)
            return
        run_level(webhook_turn, webhook_url, 2, 1, CONVERSATION)  # warm-up
        run_level(rasa_turn, rasa_url, 2, 1, CONVERSATION)
        print(f"model: {Path(stack.model).name}   machine: {os.cpu_count()} cores")
        for level in [int(x) for x in args.levels.split(",")]:
            each = max(1, args.turns // (level * len(CONVERSATION)))
            print(f"\n{level} concurrent conversation(s), {each} conversation(s) of {len(CONVERSATION)} turns each:")
            ours = report("webhook", *run_level(webhook_turn, webhook_url, level, each, CONVERSATION))
            floor = report("bare rasa", *run_level(rasa_turn, rasa_url, level, each, CONVERSATION))
            print(f"  ratio     p95 {ours['p95'] / floor['p95']:.2f}x (goal <= 1.2)   throughput {ours['tps'] / floor['tps']:.2f}x (goal >= 0.8)")
        language_figures(webhook_url, args.language_rounds)
        nurse_figures(settings)
        booking_figures(webhook_url)
        class_figures(settings, webhook_url)
        outbox_figures(settings)
        print("\nsafety screen on the labelled set (tests/data/safety):")
        for code in languages():
            phrases = yaml.safe_load((ROOT / "tests" / "data" / "safety" / f"{code}.yml").read_text(encoding="utf-8"))["phrases"]
            positives = [p for p in phrases if p["expect"] != "none"]
            negatives = [p for p in phrases if p["expect"] == "none"]
            recall = sum(screen(p["text"], code) is not None for p in positives) / len(positives)
            false_positive = sum(screen(p["text"], code) is not None for p in negatives) / max(1, len(negatives))
            print(f"  {code}: recall={recall:.3f} ({len(positives)} phrases)  false-positive rate={false_positive:.3f} ({len(negatives)} near-misses)")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
