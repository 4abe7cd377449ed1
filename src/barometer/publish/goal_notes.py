"""What a goal's row says beside its status: which source would fill a goal without data,
what the policy documents do not confirm, and the goal set's policy period.

Read from the stored goal-set specs and definitions (the catalogue as used), never computed:
the same sentences on the page, in the report and in the API.
"""

from __future__ import annotations

from barometer.publish.surveys import SURVEY_KIND, survey_name
from barometer.publish.text import t

PARTS = ("title", "owner", "base_year", "target", "indicators")


def goal_spec(goal_sets: dict[str, dict], set_id: str, goal_id: str) -> dict:
    for goal in (goal_sets.get(set_id) or {}).get("goals", []):
        if goal.get("id") == goal_id:
            return goal
    return {}


def source_names(definitions: dict[str, dict], indicator_ids: list[str], lang: str) -> list[str]:
    """Where the indicators' figures come from: a survey's name, the programme module, or the
    catalogue's sources (registers, StatBank tables)."""
    names: list[str] = []
    for ind in indicator_ids:
        spec = definitions.get(ind)
        if spec is None:
            continue
        if spec.get("kind") == SURVEY_KIND:
            found = [survey_name(definitions, ind, lang)]
        elif spec.get("kind") == "programme":
            found = [t("programme_source", lang)]
        else:
            found = list(spec.get("sources") or [])
        names += [n for n in found if n and n not in names]
    return names


def filled_by(definitions: dict[str, dict], goal: dict, lang: str) -> str | None:
    """'The figures come from: …' for a goal with indicators (None without any: such a goal
    carries its own reason, ``status_reason``)."""
    ids = [i["indicator_id"] for i in goal.get("indicators", [])]
    names = source_names(definitions, ids, lang)
    return t("filled_by", lang, sources=", ".join(names)) if names else None


def unmeasured(goal: dict, lang: str) -> str | None:
    """For a goal without indicators: that it cannot be measured yet, in the reader's language
    (its ``status_reason`` in the catalogue is the maintainers' note, with its sources)."""
    return None if goal.get("indicators") else t("unmeasured_goal", lang)


def unconfirmed_note(goal: dict, lang: str) -> str | None:
    parts = [p for p in PARTS if p in (goal.get("unconfirmed") or [])]
    if not parts:
        return None
    return t("unconfirmed_parts", lang, parts=", ".join(t(f"part_{p}", lang) for p in parts))


def period_text(goal_set: dict, lang: str) -> str | None:
    start, end = goal_set.get("valid_from"), goal_set.get("valid_to")
    if start is None and end is None:
        return None
    if end is None:
        return t("period_open", lang, start=start)
    return t("period_ended", lang, start=start if start is not None else "", end=end)


def set_listing(goal_sets: dict[str, dict]) -> list[dict]:
    """Every goal set as the API lists it, in both languages: its period, areas, base year,
    whether its goals are still to be recorded, and each goal's unconfirmed parts."""
    out = []
    for set_id, spec in goal_sets.items():
        out.append(
            {
                "id": set_id,
                "title": spec.get("title"),
                "owner": spec.get("owner"),
                "areas": spec.get("areas"),
                "base_year": spec.get("base_year"),
                "valid_from": spec.get("valid_from"),
                "valid_to": spec.get("valid_to"),
                "adopted": spec.get("adopted"),
                "pending": spec.get("pending"),
                "goals": [
                    {
                        "id": g.get("id"),
                        "title": g.get("title"),
                        "owner": g.get("owner"),
                        "status": g.get("status"),
                        "status_reason": g.get("status_reason"),
                        "unconfirmed": g.get("unconfirmed") or [],
                        "indicators": [i["indicator_id"] for i in g.get("indicators", [])],
                    }
                    for g in spec.get("goals") or []
                ],
            }
        )
    return out
