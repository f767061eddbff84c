"""The figures of CONTRACT §3 and §6, each declared once (`catalog.py`) in a vocabulary of
per-project quantities (`vocabulary.py`) over the figure columns (`columns.py`); `results.py` turns
an evaluation into totals, totals per group and explain items."""
from projections.figures.catalog import FIGURES, FORMULAS, V1_FIGURES, Figure

__all__ = ["FIGURES", "FORMULAS", "V1_FIGURES", "Figure"]
