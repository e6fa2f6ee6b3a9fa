"""Does a sentence voice an opinion at all, and is it a negated complaint?

The sentiment network learnt from movie reviews, where every row has a polarity, so it gives a factual note
("Salary review scheduled for April.") or a stray token ("x") a confident side. A sentence counts as an opinion
when it holds an opinion word (VADER's lexicon of ~7,500 rated words and emoticons, plus the HR words below that
it lacks; a capitalised word inside a sentence is taken for a name, so "an Excel course" holds none) or when the
network is nearly certain of its side (``STRONG``); otherwise it is neutral by design.
Negated complaints ("no complaints", "nothing to criticise", "can't complain") are read as positive: the network
sees the complaint word and says negative.
"""

from __future__ import annotations

import re
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

STRONG = 0.97  # P(side) beyond which the network's word is enough, opinion word or not
MIN_VALENCE = 0.5  # VADER rates words −4…4; weaker ones ("pay" −0.4, "leave" −0.2) are mostly not opinions here
HR_OPINION_WORDS = frozenset(
    [
        "toxic",
        "issue",
        "issues",
        "unmanageable",
        "understaffed",
        "overworked",
        "disengaged",
        "chaotic",
        "thin",
        "late",
        "underpaid",
        "burnout",
        "burned",
        "burnt",
        "micromanage",
        "micromanages",
        "micromanaging",
        "micromanagement",
        "unfair",
        "unclear",
        "outdated",
        "slow",
        "rude",
        "unprofessional",
        "unresponsive",
        "dismissive",
        "belittles",
        "belittle",
        "supportive",
        "welcoming",
        "collaborative",
        "inclusive",
        "knowledgeable",
        "responsive",
        "flexible",
        "competitive",
        "uncompetitive",
    ]
)
_WORD = re.compile(r"[a-z']+|[:;=][-']?[()dp]", re.IGNORECASE)
_FIRST_WORD = re.compile(r"^\W*")
_NEGATED_COMPLAINT = re.compile(
    r"\b(?:no|zero|not\s+(?:a|one|any)(?:\s+single)?|nothing\s+(?:to|i\s+(?:can|could|would))|never\s+(?:had|have)"
    r"(?:\s+(?:a|any))?|(?:can'?t|cannot|couldn'?t)|without\s+(?:a|any))\s+"
    r"(?:real\s+|major\s+|big\s+)?(?:complain\w*|critici[sz]\w*|issues?|problems?|concerns?|objections?|regrets?"
    r"|grievances?|negatives?|faults?|fault\s+with)\b",
    re.IGNORECASE,
)


@cache
def _lexicon() -> dict[str, float]:
    return SentimentIntensityAnalyzer().lexicon


def negated_complaint(sentence: str) -> bool:
    """True for "no complaints", "nothing to criticise", "never had an issue"…: a complaint word, negated."""
    return _NEGATED_COMPLAINT.search(sentence) is not None


def has_opinion_word(sentence: str) -> bool:
    """True when a word of the sentence is rated at least ``MIN_VALENCE`` by VADER or is an HR opinion word."""
    lexicon = _lexicon()
    first = _FIRST_WORD.match(sentence).end()  # type: ignore[union-attr]
    for match in _WORD.finditer(sentence):
        word = match.group()
        if match.start() > first and word[0].isupper():
            continue  # a name: Excel, Joy, Hope
        word = word.lower()
        if word in HR_OPINION_WORDS or abs(lexicon.get(word, 0.0)) >= MIN_VALENCE:
            return True
    return False


def is_opinion(sentence: str, positive_probability: float) -> bool:
    """Whether the sentence voices an opinion (see the module docstring)."""
    strong = max(positive_probability, 1.0 - positive_probability) >= STRONG
    return strong or negated_complaint(sentence) or has_opinion_word(sentence)
