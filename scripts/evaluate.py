"""`make eval`: accuracy of the trained model per language on the held-out set, and the safety screen.

Reads tests/data/eval/<lang>.yml (never used for training), parses each utterance with the trained
Rasa model in-process, and prints intent accuracy, topic accuracy and macro F1 per language, the most
frequent confusions, and the recall / false-positive rate of the deterministic safety screen on
tests/data/safety/<lang>.yml. Exit status 1 when a goal is missed.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import glob
import logging
import os
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from careline.languages import identify, languages  # noqa: E402
from careline.safety import screen  # noqa: E402
from careline.topics import topic_of  # noqa: E402

GOALS = {"en": 0.95, "es": 0.95}
DEFAULT_GOAL = 0.90


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def latest_model() -> str:
    models = sorted(glob.glob(str(ROOT / "models" / "*.tar.gz")), key=os.path.getmtime)
    if not models:
        sys.exit("No trained model in models/: run `make train` first.")
    return models[-1]


def safety_figures(code: str) -> tuple[int, int, int, int]:
    path = ROOT / "tests" / "data" / "safety" / f"{code}.yml"
    if not path.exists():
        return 0, 0, 0, 0
    phrases = yaml.safe_load(path.read_text(encoding="utf-8"))["phrases"]
    positives = [p for p in phrases if p["expect"] != "none"]
    negatives = [p for p in phrases if p["expect"] == "none"]
    caught = sum(1 for p in positives if screen(p["text"], code) is not None)
    false_alarms = sum(1 for p in negatives if screen(p["text"], code) is not None)
    return caught, len(positives), false_alarms, len(negatives)


async def evaluate(model_path: str) -> int:
    from rasa.core.agent import load_agent

    agent = await load_agent(model_path=model_path)
    failed = False
    header = f"{'lang':5} {'n':>4} {'intent acc':>10} {'topic acc':>9} {'macro F1':>8} {'goal':>5}  {'safety recall':>13} {'false pos':>9}  {'urgent held-out caught'}"
    print(f"model: {Path(model_path).name}\n{header}\n{'-' * len(header)}")
    confusions: collections.Counter = collections.Counter()
    held_out: dict[str, list[dict]] = {}
    for code in languages():
        path = ROOT / "tests" / "data" / "eval" / f"{code}.yml"
        if not path.exists():
            print(f"{code:5} (no evaluation set)")
            failed = True
            continue
        rows = held_out[code] = yaml.safe_load(path.read_text(encoding="utf-8"))["utterances"]
        pairs = []
        urgent, urgent_caught = 0, 0
        for row in rows:
            parsed = await agent.parse_message(row["text"])
            pairs.append((row["intent"], parsed["intent"]["name"]))
            if row["intent"] in ("emergency", "crisis"):
                # What a member gets: the screen first, the NLU intent as the second net.
                urgent += 1
                urgent_caught += bool(screen(row["text"], code) or parsed["intent"]["name"] in ("emergency", "crisis"))
            if parsed["intent"]["name"] != row["intent"]:
                confusions[(code, row["intent"], parsed["intent"]["name"])] += 1
        intent_acc = sum(g == p for g, p in pairs) / len(pairs)
        topic_acc = sum(topic_of(g) == topic_of(p) for g, p in pairs) / len(pairs)
        goal = GOALS.get(code, DEFAULT_GOAL)
        caught, positives, false_alarms, negatives = safety_figures(code)
        recall = caught / positives if positives else 0.0
        fp_rate = false_alarms / negatives if negatives else 0.0
        failed |= topic_acc < goal or recall < 1.0 or urgent_caught < urgent
        mark = "ok" if topic_acc >= goal else "MISS"
        print(f"{code:5} {len(pairs):4} {intent_acc:10.3f} {topic_acc:9.3f} {macro_f1(pairs):8.3f} {goal:5.2f}  {recall:8.3f} ({caught}/{positives}) {fp_rate:6.3f}   {urgent_caught}/{urgent}  {mark}")
    print("\nsafety recall / false pos: the deterministic screen on tests/data/safety/<lang>.yml;")
    print("urgent held-out caught: emergency and crisis utterances of the held-out set caught by the screen or the NLU.")
    noise = yaml.safe_load((ROOT / "tests" / "data" / "eval" / "noise.yml").read_text(encoding="utf-8"))["texts"]
    fell_back = [text for text in noise if (await agent.parse_message(text))["intent"]["name"] == "nlu_fallback"]
    print(f"\nKeyboard noise that falls back (tests/data/eval/noise.yml): {len(fell_back)}/{len(noise)}; "
          f"taken for an intent: {', '.join(t for t in noise if t not in fell_back) or 'none'}")
    print("\nLanguage identification of the held-out texts, as for a texter not on file (careline.languages.identify):")
    for code, rows in held_out.items():
        found = [identify(row["text"]) for row in rows]
        right = sum(1 for got, confidence in found if got == code and confidence >= 0.5)
        unknown = sum(1 for got, confidence in found if got is None or confidence < 0.5)
        print(f"  {code}: {right}/{len(rows)} = {right / len(rows):.3f}  (no language: {unknown}, another language: {len(rows) - right - unknown})")
    print("\nMost frequent confusions (language: expected -> predicted):")
    for (code, gold, predicted), count in confusions.most_common(15):
        print(f"  {code}: {gold} -> {predicted} x{count}")
    return 1 if failed else 0


def cross_validation(folds: int) -> None:
    """k-fold cross-validation of the intent classifier on the training data itself (a second, larger
    sample than the held-out set: every training example is predicted once by a model that did not see
    it). Uses the pipeline's own tokenizer and classifier with config.yml's settings, without Rasa's
    FallbackClassifier (its threshold is applied here)."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    from bot.components.linear_intent_classifier import LinearIntentClassifier
    from bot.components.multilingual_tokenizer import MultilingualTokenizer

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    settings = next(c for c in config["pipeline"] if c["name"].endswith("LinearIntentClassifier"))
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    options = {**LinearIntentClassifier.get_default_config(), **{k: v for k, v in settings.items() if k != "name"}}
    rows = []  # (language, text, intent)
    for code in languages():
        for path in sorted((ROOT / "nlu_data" / code).glob("*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
                if "intent" in block:
                    rows += [(code, line.strip()[2:].strip(), block["intent"]) for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    tokenizer = MultilingualTokenizer(MultilingualTokenizer.get_default_config())
    messages = [Message(data={"text": text, "intent": intent}) for _, text, intent in rows]
    tokenizer.process_training_data(TrainingData(messages))
    predicted: list[str] = [""] * len(rows)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=11)
    strata = [f"{code}:{intent}" for code, _, intent in rows]
    with tempfile.TemporaryDirectory() as directory:
        for fold, (train, test) in enumerate(splitter.split(rows, strata)):
            (Path(directory) / str(fold)).mkdir()
            storage = LocalModelStorage.create(Path(directory) / str(fold))
            context = ExecutionContext(GraphSchema({}), f"fold-{fold}")
            classifier = LinearIntentClassifier.create(options, storage, Resource("classifier"), context)
            classifier.train(TrainingData([messages[i] for i in train]))
            for i in test:
                probe = Message(data={"text": rows[i][1]})
                tokenizer.process([probe])
                classifier.process([probe])
                ranking = probe.get("intent_ranking")
                top = ranking[0]
                unsure = top["confidence"] < fallback["threshold"] or (len(ranking) > 1 and top["confidence"] - ranking[1]["confidence"] < fallback["ambiguity_threshold"])
                predicted[i] = "nlu_fallback" if unsure else top["name"]
    print(f"\n{folds}-fold cross-validation on the training data (nlu_data/<lang>; fallback threshold applied):")
    print(f"{'lang':5} {'n':>5} {'intent acc':>10} {'topic acc':>9} {'macro F1':>8}")
    for code in languages():
        pairs = [(intent, predicted[i]) for i, (c, _, intent) in enumerate(rows) if c == code]
        intent_acc = sum(g == p for g, p in pairs) / len(pairs)
        topic_acc = sum(topic_of(g) == topic_of(p) for g, p in pairs) / len(pairs)
        print(f"{code:5} {len(pairs):5} {intent_acc:10.3f} {topic_acc:9.3f} {macro_f1(pairs):8.3f}")


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    import structlog

    # Rasa's structured logger prints every parsed text at debug level unless told otherwise.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    parser.add_argument("--folds", type=int, default=5, help="k-fold cross-validation on the training data (0: skip)")
    args = parser.parse_args()
    status = asyncio.run(evaluate(args.model or latest_model()))
    if args.folds > 1:
        cross_validation(args.folds)
    sys.exit(status)


if __name__ == "__main__":
    main()
