"""Training-time augmentation: seeded noisy copies of the training examples (from training data only).

Each example may get copies with typos (one per ~8 characters, a different seed per copy), its SMS
spelling and its accent-free spelling; a copy that normalises to an existing text is dropped, so the
classifier sees new surface forms only.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.normalise import normalise
from bot.nlu.perturb import drop_accents, sms, typos


@dataclass(frozen=True)
class Augmentation:
    typo_copies: int = 0
    sms_copies: bool = False
    accent_copies: bool = False
    seed: int = 0

    @property
    def enabled(self) -> bool:
        return bool(self.typo_copies or self.sms_copies or self.accent_copies)


def augment(texts: list[str], labels: list[str], plan: Augmentation) -> tuple[list[str], list[str]]:
    """The normalised texts and labels, followed by the normalised noisy copies the plan asks for."""
    seen = {normalise(text) for text in texts}
    out_texts = [normalise(text) for text in texts]
    out_labels = list(labels)
    if not plan.enabled:
        return out_texts, out_labels
    for text, label in zip(texts, labels, strict=True):
        variants = [typos(text, 8, plan.seed * 1000 + copy) for copy in range(plan.typo_copies)]
        if plan.sms_copies:
            variants.append(sms(text))
        if plan.accent_copies:
            variants.append(drop_accents(text))
        for variant in variants:
            key = normalise(variant)
            if key and key not in seen:
                seen.add(key)
                out_texts.append(key)
                out_labels.append(label)
    return out_texts, out_labels
