"""The NLU data and the intent classifier.

The held-out set stays held out, every intent is taught in every language, and the classifier
trains, persists as plain data and loads back to the very same answers.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from careline.languages import languages
from careline.topics import TOPICS, topic_of

ROOT = Path(__file__).resolve().parents[1]
INTENTS = yaml.safe_load((ROOT / "bot" / "domain" / "intents.yml").read_text(encoding="utf-8"))["intents"]


def training_examples(code: str) -> dict[str, list[str]]:
    examples: dict[str, list[str]] = {}
    for path in sorted((ROOT / "nlu_data" / code).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
                examples.setdefault(block["intent"], []).extend(lines)
    return examples


def held_out(code: str) -> list[dict]:
    return yaml.safe_load((ROOT / "tests" / "data" / "eval" / f"{code}.yml").read_text(encoding="utf-8"))["utterances"]


@pytest.mark.parametrize("code", languages())
def test_every_intent_is_taught_in_every_language(code):
    examples = training_examples(code)
    thin = {intent: len(examples.get(intent, [])) for intent in INTENTS if len(examples.get(intent, [])) < 15}
    assert not thin, f"{code}: intents with fewer than 15 examples: {thin}"
    assert not set(examples) - set(INTENTS), f"{code}: intents not in the domain: {set(examples) - set(INTENTS)}"


@pytest.mark.parametrize("code", languages())
def test_held_out_set_is_never_trained_on(code):
    taught = {text.lower() for texts in training_examples(code).values() for text in texts}
    leaked = [row["text"] for row in held_out(code) if row["text"].strip().lower() in taught]
    assert not leaked, f"{code}: held-out utterances also in nlu_data/{code}: {leaked}"


@pytest.mark.parametrize("code", languages())
def test_held_out_set_covers_every_topic(code):
    rows = held_out(code)
    assert len(rows) >= 30
    assert {row["intent"] for row in rows} <= set(INTENTS)
    assert set(TOPICS) - {topic_of(row["intent"]) for row in rows} == set()


# --- the classifier component, trained on a small set through Rasa's own interfaces ---------------

TRAIN = {
    "ride_book": ["i need a ride to my doctor", "book a ride for tuesday", "necesito un raite al doctor", "quiero transporte a mi cita", "我要预约车去看医生", "帮我订车去诊所"],
    "benefit_dental": ["does my plan cover dental", "are teeth cleanings covered", "cubren el dentista", "me pagan la limpieza de dientes", "牙医保不保", "洗牙要钱吗"],
    "greet": ["hello", "hi there", "hola", "buenos dias", "你好", "早上好"],
}


@pytest.fixture
def trained(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.components.linear_intent_classifier import LinearIntentClassifier
    from bot.components.multilingual_tokenizer import MultilingualTokenizer

    storage = LocalModelStorage.create(tmp_path)
    resource = Resource("linear_intent_classifier")
    context = ExecutionContext(GraphSchema({}), uuid.uuid4().hex)
    tokenizer = MultilingualTokenizer(MultilingualTokenizer.get_default_config())
    data = TrainingData([Message(data={"text": text, "intent": intent}) for intent, texts in TRAIN.items() for text in texts])
    tokenizer.process_training_data(data)
    config = {**LinearIntentClassifier.get_default_config(), "min_df": 1, "calibration_folds": 2}
    classifier = LinearIntentClassifier.create(config, storage, resource, context)
    classifier.train(data)
    loaded = LinearIntentClassifier.load(config, storage, resource, context)

    def parse(component, text):
        message = Message(data={"text": text})
        tokenizer.process([message])
        component.process([message])
        return message

    return classifier, loaded, parse


@pytest.mark.parametrize("text, expected", [
    ("can i get a ride to the doctor", "ride_book"),
    ("necesito raite para mi cita", "ride_book"),
    ("dental cleaning covered?", "benefit_dental"),
    ("牙医", "benefit_dental"),
    ("hola buenos dias", "greet"),
])
def test_classifier_learns_and_ranks(trained, text, expected):
    classifier, _, parse = trained
    message = parse(classifier, text)
    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == expected
    assert [r["name"] for r in ranking][0] == expected
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-6)


def test_classifier_loads_back_to_the_same_answers(trained, tmp_path):
    classifier, loaded, parse = trained
    for text in ("book me a ride friday", "cubren lentes y dentista", "你好啊", "zzzz qqqq"):
        assert parse(loaded, text).get("intent_ranking") == parse(classifier, text).get("intent_ranking")
    # Stored as JSON and NumPy arrays only: nothing that runs code when a model is loaded.
    stored = {p.suffix for p in tmp_path.rglob("*") if p.is_file()}
    assert stored <= {".json", ".npz"}, stored


def test_untrained_classifier_answers_nothing_rather_than_guessing(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message

    from bot.components.linear_intent_classifier import LinearIntentClassifier

    storage = LocalModelStorage.create(tmp_path)
    context = ExecutionContext(GraphSchema({}), "untrained")
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, Resource("missing"), context)
    message = Message(data={"text": "hello"})
    loaded.process([message])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []
