"""The questionnaire builder's blocks: keys made from text, options read, edits, errors naming the question."""

from __future__ import annotations

import pytest

from sentinelle.errors import Invalid
from sentinelle.web import question_form as qf


def block(**fields: str) -> dict[str, str]:
    return {**qf.blank_block(), **fields}


def test_keys_are_made_from_the_text_and_kept_unique() -> None:
    taken: set[str] = set()
    assert qf.slug_key("Êtes-vous inquiet ?", taken) == "etes_vous_inquiet"
    assert qf.slug_key("Êtes-vous inquiet ?", taken) == "etes_vous_inquiet_2"
    assert qf.slug_key("?!", taken) == "q"
    assert len(qf.slug_key("anticonstitutionnellement " * 5, set())) <= 40


def test_options_keep_their_keys_and_the_others_get_one_from_the_label() -> None:
    wording = qf.wording_from_blocks([block(text="Source ?", options="medecin | Mon médecin\nMédecin\nAutre")])
    assert [(o["key"], o["label"]) for o in wording[0]["options"]] == [
        ("medecin", "Mon médecin"), ("medecin_2", "Médecin"), ("autre", "Autre")]


def test_a_round_trip_through_the_blocks_keeps_the_wording() -> None:
    wording = qf.wording_from_blocks([
        block(text="Note ?", kind="scale", scale_min="0", scale_max="10", scale_low="nul", scale_high="parfait",
              required="on"),
        block(text="Choix ?", kind="multiple", options="a | A\nb | B\nc | C", max_choices="2"),
        block(text="Rang ?", kind="ranking", options="x | X\ny | Y"),
        block(text="Dites-nous", kind="text", key="libre")])
    assert qf.wording_from_blocks(qf.blocks_from_wording(wording)) == wording
    assert wording[1]["max_choices"] == 2 and wording[0]["scale_max"] == 10 and wording[3]["key"] == "libre"


def test_edits_add_remove_and_move_blocks() -> None:
    blocks = [block(text="un"), block(text="deux")]
    assert [b["text"] for b in qf.apply_action(blocks, "up-1")] == ["deux", "un"]
    assert [b["text"] for b in qf.apply_action(blocks, "remove-0")] == ["deux"]
    assert len(qf.apply_action(blocks, "add")) == 3
    assert qf.apply_action(blocks, "save") is None
    assert qf.apply_action(blocks, "remove-9") is None  # out of range: treated as a save, nothing removed


@pytest.mark.parametrize(("blocks", "message", "field"), [
    ([], "au moins une question", "questions"),
    ([block(text="Oui ?", options="Oui")], "Question 1", "q-0"),
    ([block(text="a ?", kind="text"), block(text="b ?", kind="scale", scale_min="x")],
     "Question 2, début de l'échelle : nombre entier attendu", "q-1-scale_min"),
    ([block(text="a ?", kind="text", key="k"), block(text="b ?", kind="text", key="k")], "Question 2", "q-1-key"),
    ([block(text="", kind="text")], "Question 1", "q-0"),
])
def test_errors_name_the_question(blocks: list[dict[str, str]], message: str, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        qf.wording_from_blocks(blocks)
    assert message in caught.value.message and caught.value.field == field
