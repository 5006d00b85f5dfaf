"""The log's sentences agree with their subject, whose grammatical number the scenario declares
(``plural`` of the ruler, a challenger or an institution), never guessed from the name."""

from __future__ import annotations

from sim.model.grammar import agree
from sim.runner import run

from .conftest import ROOT, load

ZIMBABWE = ROOT / "scenarios" / "zimbabwe_2017.yaml"
TURKEY = ROOT / "scenarios" / "turkey_2016.yaml"


def _text(res) -> str:  # noqa: ANN001 - a RunResult
    return "\n".join(res.events["text"])


def test_agree() -> None:
    assert agree(True, "holds", "hold") == "hold"
    assert agree(False, "holds", "hold") == "holds"


def test_a_plural_side_takes_a_plural_verb() -> None:
    res = run(load(ZIMBABWE), seed=1)
    assert res.measures["outcome_reason"].endswith("the generals hold Harare")
    text = _text(res)
    assert "the generals take the broadcasters and announce that President Mugabe is removed" in text
    assert "the generals hold the seat of power in Harare" in text
    assert "the generals' bid for power" in text
    assert "the generals holds" not in text and "the generals takes" not in text


def test_the_number_is_data_not_guessed_from_the_name() -> None:
    # the same name declared singular reads as singular: the engine does not look at the 's'
    res = run(load(ZIMBABWE, "challengers.plotters.plural=false"), seed=1)
    assert res.measures["outcome_reason"].endswith("the generals holds Harare")
    assert "the generals's bid for power" in _text(res)


def test_a_singular_body_takes_a_singular_verb() -> None:
    text = _text(run(load(TURKEY), seed=1))
    assert "the Peace at Home Council moves against President Erdogan" in text
    assert "the Peace at Home Council move against" not in text
