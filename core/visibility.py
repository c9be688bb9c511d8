"""The visibility policy: which result field is personal, how it is masked, who sees it in full.

Every read that returns people passes its result through `apply` (a DataFrame, a record or
a list of records) or, for one value such as a dataclass field, `shown`, where the result
leaves the read. Reads do not decide masking themselves; the masks are core/masking.py's.

Who sees what (DESIGN.md §2):
* a registered person's name, ID number, phone, address and the free text about them
  (family, health, findings, measures, notes): in full only for an actor that sees personal
  data (`Actor.sees_personal_data`: admin/office/township, never while presenting);
  everyone else gets 张*华, 422823********1234, 138****1234, 湖北省恩施州**** and free text
  hidden whole (core.masking.HIDDEN).
* staff names — 帮扶责任人, 走访人, workers, unit members — are working identities: the
  leader needs to know who is responsible. One way for all of them: masked only on the shared
  screen (投屏), name part only, position kept: 邬*清（乡镇干部）. Their phones are phones
  (first rule).
* worklists and pickers show the ID number masked for everyone (`身份证号`, as against the
  ledger's `身份证号码`): enough to tell two 张伟 apart, the full number lives in the file.
* incident-card narrative is needed by whoever handles the card; ID and mobile numbers inside
  it are masked for a reader not entitled to the person's contact data (NARRATIVE); on the
  shared screen it is hidden whole.
* a search over these fields finds only by what the actor sees of them (`found_by`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import pandas as pd

from core.masking import (
    PERSONAL_FIELDS,
    hide_text,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_staff_label,
    scrub_text,
)
from core.roles import Actor

# ---------------------------------------------------------------- who sees a kind in full
PERSONAL = "personal"      # actors entitled to personal data
OFF_SCREEN = "off_screen"  # everyone, except on the shared screen
NOBODY = "nobody"


@dataclass(frozen=True)
class Rule:
    mask: Callable[[Any], Any]
    shown_to: str  # PERSONAL / OFF_SCREEN / NOBODY


# ---------------------------------------------------------------- kinds of personal field
NAME = "name"
ID_NUMBER = "id_number"
PHONE = "phone"
ADDRESS = "address"
FREE_TEXT = "free_text"
STAFF_NAME = "staff_name"
LISTED_ID = "listed_id"
CASE_TEXT = "case_text"
NUMBERS_IN_TEXT = "numbers_in_text"  # text shown, ID and mobile numbers inside it masked (exports)
# Narrative about one person that its reader needs (an incident card's description, handling,
# resolution): ID and mobile numbers inside it masked for a reader who may not see that
# person's contact data (`contact` of `narrative`), the whole text hidden on the shared screen.
NARRATIVE = "narrative"

RULES: dict[str, Rule] = {
    NAME: Rule(mask_name, PERSONAL),
    ID_NUMBER: Rule(mask_id_number, PERSONAL),
    PHONE: Rule(mask_phone, PERSONAL),
    ADDRESS: Rule(mask_address, PERSONAL),
    FREE_TEXT: Rule(hide_text, PERSONAL),
    NUMBERS_IN_TEXT: Rule(scrub_text, PERSONAL),
    STAFF_NAME: Rule(mask_staff_label, OFF_SCREEN),
    LISTED_ID: Rule(mask_id_number, NOBODY),
    CASE_TEXT: Rule(hide_text, OFF_SCREEN),
    NARRATIVE: Rule(scrub_text, PERSONAL),  # PERSONAL here: entitled to the person's contact data
}

# ---------------------------------------------------------------- fields, by the name results use
_KIND_OF_MASK = {mask_name: NAME, mask_id_number: ID_NUMBER, mask_phone: PHONE, mask_address: ADDRESS,
                 hide_text: FREE_TEXT}
FIELDS: dict[str, str] = {
    # internal names (Person / Guardian attributes; the same list masks audit values)
    **{field: _KIND_OF_MASK[fn] for field, fn in PERSONAL_FIELDS.items()},
    "person_name": NAME,
    "parents_status": FREE_TEXT,  # 父母或子女动态: free text about the family, like family_situation
    # display names of result columns
    "姓名": NAME,
    "涉及对象": NAME,
    "见证人": NAME,
    "身份证号码": ID_NUMBER,
    "身份证号": LISTED_ID,
    "联系电话": PHONE,
    "住址": ADDRESS,
    "备注": FREE_TEXT,
    "帮扶措施": FREE_TEXT,
    "内容": FREE_TEXT,        # care measure text
    "发现情况": FREE_TEXT,
    "存在问题": FREE_TEXT,
    "后续跟进": FREE_TEXT,
    "措施": FREE_TEXT,        # assessment actions
    "主要问题": FREE_TEXT,
    "处置结果": FREE_TEXT,
    "帮扶责任人": STAFF_NAME,
    "帮扶责任人(职务)": STAFF_NAME,
    "走访人": STAFF_NAME,
    "组成人员": STAFF_NAME,
    "联络员": STAFF_NAME,
}
# Results listing staff rather than registered people: their 姓名 is a staff name.
STAFF_ROWS: dict[str, str | None] = {"姓名": STAFF_NAME}
# The ledger export without 完整身份信息: measures keep their text, numbers inside it masked.
LEDGER_EXPORT: dict[str, str | None] = {"帮扶措施": NUMBERS_IN_TEXT}


def sees(actor: Actor, kind: str, *, personal: bool | None = None) -> bool:
    """Whether `actor` gets fields of `kind` in full. `personal` overrides the actor's
    personal-data entitlement (the export's 含完整身份信息 choice narrows it)."""
    audience = RULES[kind].shown_to
    if audience == NOBODY:
        return False
    if audience == OFF_SCREEN:
        return not actor.presentation
    return actor.sees_personal_data if personal is None else personal


def shown(actor: Actor, kind: str, value, *, personal: bool | None = None):
    """One value as `actor` may see it (dataclass fields, labels built from several values)."""
    return value if sees(actor, kind, personal=personal) else RULES[kind].mask(value)


# Searching people (areas/registry/person_reads.py): what a query may match. An actor who
# sees a field masked searches only what it sees (a hidden character never narrows the
# result, or a search would recover it one guess at a time); an ID number or phone typed
# whole and exact also finds its person (only the whole number, nothing one digit at a
# time). A name does not: its one or few hidden characters are easily guessed whole.
EXACT_SEARCH = frozenset({ID_NUMBER, PHONE})


def found_by(actor: Actor, kind: str, value, query: str) -> bool:
    """Whether `query` finds `value` (a field of `kind`) for `actor`: in what the actor sees
    of the value (shown), or — for EXACT_SEARCH kinds — the whole value typed exactly."""
    q = (query or "").strip().casefold()
    if not q or _missing(value):
        return False
    if q in str(shown(actor, kind, value)).casefold():
        return True
    return kind in EXACT_SEARCH and q == str(value).strip().casefold()


def narrative(actor: Actor, value, *, contact: bool):
    """Free text about a person as `actor` may read it (NARRATIVE): `contact` says whether the
    actor may see that person's ID number and phone (staff; a unit when the card needs contact)."""
    return shown(actor, CASE_TEXT, shown(actor, NARRATIVE, value, personal=contact))


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value))


def _keeping_missing(mask: Callable) -> Callable:
    """Empty cells stay as they are (None stays None, NaN stays NaN)."""
    return lambda value: value if _missing(value) else mask(value)


def _maskers(names, actor: Actor, kinds, personal) -> dict[str, Callable]:
    fields = {**FIELDS, **(kinds or {})}
    out = {}
    for name in names:
        kind = fields.get(name)
        if kind is not None and not sees(actor, kind, personal=personal):
            out[name] = _keeping_missing(RULES[kind].mask)
    return out


def apply(result, actor: Actor, kinds: Mapping[str, str | None] | None = None, *, personal: bool | None = None):
    """`result` with every personal field the actor may not see in full masked.

    result: a DataFrame (by column), a record (dict, by key) or a list of records; a new
    object is returned, the argument is left as it was. `kinds` adds or overrides field
    kinds for this result (None: not personal here), e.g. STAFF_ROWS."""
    if isinstance(result, pd.DataFrame):
        maskers = _maskers(result.columns, actor, kinds, personal)
        if not maskers:
            return result
        out = result.copy()
        for col, fn in maskers.items():
            out[col] = out[col].map(fn)
        return out
    if isinstance(result, Mapping):
        maskers = _maskers(result.keys(), actor, kinds, personal)
        return {k: (maskers[k](v) if k in maskers else v) for k, v in result.items()}
    return [apply(r, actor, kinds, personal=personal) for r in result]
