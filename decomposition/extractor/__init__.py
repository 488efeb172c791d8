"""Pure-Python extraction of quantified commitments and achievements from Chinese plan texts (SPEC §4).

No Django here: the decomposition app calls `extract` and stores the proposal.

    proposal = extract(text, plan_year=2021)
    proposal.commitments[0].deadline, proposal.achievements[0].value
    proposal_to_gold_dict(proposal)  # the gold-file schema, for scoring and export

Offsets on items index `normalise(text)` (``start``/``end``) and the text passed in
(``original_start``/``original_end``).
"""

from .extract import extract
from .gold import proposal_to_gold_dict
from .models import Achievement, Commitment, Milestone, Proposal
from .normalise import NormalisedText, normalise, normalise_document

__all__ = [
    "Achievement",
    "Commitment",
    "Milestone",
    "NormalisedText",
    "Proposal",
    "extract",
    "normalise",
    "normalise_document",
    "proposal_to_gold_dict",
]
