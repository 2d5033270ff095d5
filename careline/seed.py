"""Load the demo data: fictional members, the plan's benefits in every language, some class sessions.

Only rows that are missing are inserted, so an operator's edits to a benefit survive `make run`.
"""
from __future__ import annotations

import datetime as dt
import logging

import yaml
from sqlalchemy import select

from careline import PACKAGE_DIR
from careline.config import Settings
from careline.db import migrate, pseudonym, session_scope
from careline.languages import languages
from careline.models import Benefit, BenefitText, Caregiver, Center, ClassMeeting, ClassText, HealthClass, Member, Nurse

log = logging.getLogger(__name__)
DATA = PACKAGE_DIR / "seed_data"


def _load(name: str):
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def benefit_texts(language: str) -> dict:
    path = DATA / "benefits" / f"{language}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def seed(settings: Settings) -> dict[str, int]:
    """Insert what is missing; return how many rows of each kind were added."""
    added = {"members": 0, "benefits": 0, "benefit_texts": 0, "classes": 0, "nurses": 0, "caregivers": 0}
    with session_scope(settings.database_url) as session:
        known_members = set(session.scalars(select(Member.member_number)))
        for row in _load("members.yml"):
            if row["member_number"] in known_members:
                continue
            session.add(Member(**row, phone_hash=pseudonym(row["phone"], settings.privacy_key)))
            added["members"] += 1
        known_benefits = set(session.scalars(select(Benefit.code)))
        for row in _load("benefits.yml"):
            if row["code"] not in known_benefits:
                session.add(Benefit(**row))
                added["benefits"] += 1
        session.flush()
        known_texts = set(session.execute(select(BenefitText.benefit_code, BenefitText.language)).all())
        for language in languages():
            for code, fields in benefit_texts(language).items():
                if (code, language) not in known_texts:
                    session.add(BenefitText(benefit_code=code, language=language, **fields))
                    added["benefit_texts"] += 1
        from werkzeug.security import generate_password_hash

        if session.scalar(select(Nurse.id).where(Nurse.role == "nurse").limit(1)) is None and settings.demo_nurse_password:
            session.add(Nurse(username="nurse.demo", display_name="Demo Nurse", role="nurse", password_hash=generate_password_hash(settings.demo_nurse_password)))
            added["nurses"] += 1
        if session.scalar(select(Nurse.id).where(Nurse.role == "operator").limit(1)) is None and settings.demo_operator_password:
            session.add(Nurse(username="operator.demo", display_name="Demo Operator", role="operator",
                              password_hash=generate_password_hash(settings.demo_operator_password)))
            added["nurses"] += 1
        session.flush()
        if session.scalar(select(Caregiver.id).limit(1)) is None:
            by_number = {m.member_number: m.id for m in session.scalars(select(Member))}
            for row in _load("caregivers.yml"):
                session.add(Caregiver(member_id=by_number[row["member_number"]], phone_hash=pseudonym(row["phone"], settings.privacy_key), name=row["name"]))
                added["caregivers"] += 1
        if session.scalar(select(HealthClass.id).limit(1)) is None:
            added["classes"] = seed_classes(session, dt.date.today())
    return added


def class_texts(language: str) -> dict:
    path = DATA / "class_texts" / f"{language}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def zip_centroids() -> dict[str, tuple[float, float]]:
    return {str(k): (float(v[0]), float(v[1])) for k, v in _load("classes.yml")["zip_centroids"].items()}


def seed_classes(session, today: dt.date) -> int:
    """The demo class catalog: centers, classes with their meetings, titles in every language."""
    data = _load("classes.yml")
    centers = {}
    for row in data["centers"]:
        row = dict(row)
        key = row.pop("key")
        centers[key] = Center(**row)
        session.add(centers[key])
    session.flush()
    texts = {language: class_texts(language) for language in languages()}
    count = 0
    for row in data["classes"]:
        row = dict(row)
        days, hour, center = row.pop("days"), row.pop("hour"), row.pop("center", None)
        item = HealthClass(**row, center_id=centers[center].id if center else None)
        session.add(item)
        session.flush()
        for day in days:
            session.add(ClassMeeting(class_id=item.id, starts_local=dt.datetime.combine(today + dt.timedelta(days=day), dt.time(hour))))
        for language, by_topic in texts.items():
            if item.topic in by_topic:
                session.add(ClassText(class_id=item.id, language=language, **by_topic[item.topic]))
        count += 1
    return count


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    migrate(settings.database_url)
    log.info("database migrated; seeded %s", seed(settings))


if __name__ == "__main__":
    main()
