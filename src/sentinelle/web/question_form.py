"""The questionnaire builder's form: questions written one block at a time, read back into the wording
the service takes (schemas.Question), and the buttons that add, remove and move a block.

A block's fields are `q-<i>-<field>`; options are one per line, « clé | libellé » or a label alone (its
key is then made from the label), so that a new version keeps the option keys of the last one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from sentinelle.concertation.schemas import Question
from sentinelle.errors import Invalid

MAX_QUESTIONS = 200
FIELDS = ("key", "kind", "text", "options", "required", "max_choices", "scale_min", "scale_max", "scale_low",
          "scale_high")


def slug_key(text: str, taken: set[str]) -> str:
    """A question or option key from its text: lower-case ASCII, underscores, 40 characters at most,
    made unique among `taken` with a number."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    base = ""
    for word in words:  # whole words, 36 characters at most (a number may follow)
        if len(base) + len(word) + (1 if base else 0) > 36:
            break
        base = f"{base}_{word}" if base else word
    base = base or (words[0][:36] if words else "q")
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def blank_block() -> dict[str, str]:
    return {"key": "", "kind": "single", "text": "", "options": "", "required": "", "max_choices": "",
            "scale_min": "1", "scale_max": "5", "scale_low": "", "scale_high": ""}


def blocks_from_form(form: FormData) -> list[dict[str, str]]:
    """The blocks as typed (strings), in order, whatever their content: what the page shows back."""
    raw = str(form.get("count", ""))
    count = min(int(raw), MAX_QUESTIONS) if raw.isdigit() else 0
    return [{f: str(form.get(f"q-{i}-{f}", "") or "") for f in FIELDS} for i in range(count)]


def blocks_from_wording(questions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The blocks that show an existing version's questions (for its next version)."""
    out = []
    for q in questions:
        labels = q.get("scale_labels") or ("", "")
        out.append({"key": q["key"], "kind": q["kind"], "text": q["text"],
                    "options": "\n".join(f"{o['key']} | {o['label']}" for o in q.get("options", [])),
                    "required": "on" if q.get("required") else "", "max_choices": str(q.get("max_choices") or ""),
                    "scale_min": str(q.get("scale_min", 1)), "scale_max": str(q.get("scale_max", 5)),
                    "scale_low": labels[0], "scale_high": labels[1]})
    return out


def apply_action(blocks: list[dict[str, str]], action: str) -> list[dict[str, str]] | None:
    """The blocks after an edit button (add, remove-<i>, up-<i>), or None when the action is to save."""
    blocks = list(blocks)
    if action == "add":
        if len(blocks) >= MAX_QUESTIONS:
            raise Invalid(f"{MAX_QUESTIONS} questions au plus", "questions")
        return blocks + [blank_block()]
    verb, _, index = action.partition("-")
    if verb in ("remove", "up") and index.isdigit() and int(index) < len(blocks):
        i = int(index)
        if verb == "remove":
            del blocks[i]
        elif i > 0:
            blocks[i - 1], blocks[i] = blocks[i], blocks[i - 1]
        return blocks
    return None


# A question block's fields as the builder labels them.
BLOCK_LABELS = {"text": "texte", "kind": "type", "key": "clé", "options": "options", "max_choices": "nombre de choix",
                "scale_min": "début de l'échelle", "scale_max": "fin de l'échelle", "scale_low": "libellé du bas",
                "scale_high": "libellé du haut", "scale_labels": "libellés de l'échelle"}


def _int(block: dict[str, str], field: str, number: int, default: int | None) -> int | None:
    raw = block[field].strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"Question {number}, {BLOCK_LABELS.get(field, field)} : nombre entier attendu (lu « {raw} »)",
                      f"q-{number - 1}-{field}") from None


def _options(block: dict[str, str]) -> list[dict[str, str]]:
    taken: set[str] = set()
    lines = [line.strip() for line in block["options"].splitlines() if line.strip()]
    explicit = [line.partition("|")[0].strip() for line in lines if "|" in line]
    taken.update(explicit)
    out = []
    for line in lines:
        if "|" in line:
            key, _, label = (part.strip() for part in line.partition("|"))
        else:
            key, label = slug_key(line, taken), line
        out.append({"key": key, "label": label})
    return out


def wording_from_blocks(blocks: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The questions of the blocks, each checked on its own so that an error names the question's
    number (and field `q-<i>`); a question left without a key gets one made from its text."""
    if not blocks:
        raise Invalid("ajoutez au moins une question", "questions")
    taken = {b["key"].strip() for b in blocks if b["key"].strip()}
    questions = []
    for i, block in enumerate(blocks):
        number = i + 1
        kind = block["kind"]
        question: dict[str, Any] = {"key": block["key"].strip() or slug_key(block["text"], taken), "kind": kind,
                                    "text": block["text"].strip(), "required": block["required"] == "on"}
        if kind in ("single", "multiple", "ranking"):
            question["options"] = _options(block)
        if kind == "multiple":
            question["max_choices"] = _int(block, "max_choices", number, None)
        if kind == "scale":
            question["scale_min"] = _int(block, "scale_min", number, 1)
            question["scale_max"] = _int(block, "scale_max", number, 5)
            question["scale_labels"] = (block["scale_low"].strip(), block["scale_high"].strip())
        try:
            questions.append(Question.model_validate(question).model_dump())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
            message = str(first.get("msg", "")).removeprefix("Value error, ")
            named = BLOCK_LABELS.get(where, where)
            raise Invalid(f"Question {number}{f', {named}' if named else ''} : {message}", f"q-{i}") from None
    keys = [q["key"] for q in questions]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise Invalid(f"Question {i + 1} : la clé « {key} » est déjà celle de la question {keys.index(key) + 1}",
                          f"q-{i}-key")
    return questions
