"""A young person's names when only a full name is known (a referral describes "Mary Ann
Whitlowe"; the record has a given and a family name).

The rule: **the full name is kept as given** (``YoungPerson.name_as_given``, shown on the young
person's page beside the names until they are checked) and the split is made **at the last
space**: "Mary Ann Whitlowe" is given names "Mary Ann", family name "Whitlowe". That is right
for most names written in the order the referrer usually writes them, wrong for some (a family
name of several words, "Anna de la Cruz"; a family name written first), which is why the full
name is kept and shown: the worker who knows corrects the split on the edit page. One word is
a given name with **no** family name (blank: never a placeholder such as "(not given)").
"""

from safeguarding import text


def split_full_name(full_name: str) -> tuple[str, str]:
    """``(given, family)`` from a full name, by the rule above, after the one rule for names
    (:func:`safeguarding.text.name`: white space of every kind made single spaces)."""
    cleaned = text.name(full_name)
    given, _, family = cleaned.rpartition(" ")
    if not given:
        return family, ""
    return given, family
