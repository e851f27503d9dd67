"""Rasa entity extractor for `country`, `scheme` and `sector` from the gazetteer (`nlu/gazetteer.yml`).

The gazetteer is read at training time and stored inside the model, so a model
carries the names it was trained with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.gazetteer import Gazetteer

NLU_DIR = Path(__file__).resolve().parent.parent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class GazetteerEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"gazetteer": "gazetteer.yml"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, data: Optional[dict] = None):
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._data = data or {}
        self._gazetteer = Gazetteer(self._data) if self._data else None

    @classmethod
    def create(cls, config, model_storage, resource, execution_context: ExecutionContext) -> "GazetteerEntityExtractor":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        path = NLU_DIR / self._config["gazetteer"]
        self._data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self._gazetteer = Gazetteer(self._data)
        with self._storage.write_to(self._resource) as directory:
            (directory / "gazetteer.json").write_text(json.dumps(self._data, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "GazetteerEntityExtractor":
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / "gazetteer.json").read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, data)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self._gazetteer is None:
                continue
            found = [
                {
                    "entity": m.entity, "value": m.value, "start": m.start, "end": m.end,
                    "confidence_entity": 1.0, **({"role": m.role} if m.role else {}),
                }
                for m in self._gazetteer.find(message.get(TEXT) or "")
            ]
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
