"""Rasa tokenizer for all eleven languages in one model (Rasa's WhitespaceTokenizer refuses Chinese
and leaves unspaced Khmer as one token)."""
from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from careline.text import segment

logging.getLogger("jieba").setLevel(logging.WARNING)


@functools.lru_cache(maxsize=1)
def _jieba_cut():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return lambda run: list(jieba.cut(run, HMM=True))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MultilingualTokenizer(Tokenizer):
    """Tokens from careline.text.segment, with character offsets into the original text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent_tokenization_flag": False, "intent_split_symbol": "_", "token_pattern": None, "prefix_separator_symbol": None}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext) -> "MultilingualTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        words = segment(text.lower(), han_cutter=_jieba_cut())
        tokens = self._convert_words_to_tokens(words, text.lower())
        return self._apply_token_pattern(tokens)
