import numpy as np

from xlpmo.core.rag import rag, rag_higher_is_better, rag_variance
from xlpmo.errors import XLError


def test_index_rule_boundaries():
    got = rag_higher_is_better([0.89, 0.90, 0.94, 0.95, 1.2], 0.95, 0.90).tolist()
    assert got == ["Red", "Amber", "Amber", "Green", "Green"]


def test_variance_rule_uses_absolute_value():
    got = rag_variance([-0.12, 0.12, -0.06, 0.05, 0.0], 0.05, 0.10).tolist()
    assert got == ["Red", "Red", "Amber", "Green", "Green"]


def test_errors_pass_through_and_missing_is_na():
    got = rag_higher_is_better(np.array([XLError.DIV0, np.nan, 1.0], dtype=object), 0.95, 0.9)
    assert got.tolist() == [XLError.DIV0, XLError.NA, "Green"]
    assert rag_variance(np.array([XLError.DIV0], dtype=object), 0.05, 0.1).tolist() == [
        XLError.DIV0
    ]


def test_scalar_lower_is_better():
    assert rag(0.85, 0.8, 0.9, higher_is_better=False) == "Amber"
    assert rag(0.95, 0.8, 0.9, higher_is_better=False) == "Red"


def test_a_value_exactly_at_a_threshold_is_not_beyond_it():
    # workbook.md: an index *below* Amber is amber, *below* Red red; the variance rule flags
    # an absolute variance % *above* its thresholds. Equal is not beyond: 10 % against Red 10 %
    # is Amber, 5 % against Amber 5 % Green (either sign)
    got = rag_variance([0.10, -0.10, 0.05, -0.05, 0.1000001], 0.05, 0.10).tolist()
    assert got == ["Amber", "Amber", "Green", "Green", "Red"]
    assert rag_higher_is_better([0.90, 0.95], 0.95, 0.90).tolist() == ["Amber", "Green"]
    assert rag(0.10, 0.05, 0.10, higher_is_better=False) == "Amber"
