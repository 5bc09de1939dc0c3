"""Parameters that moved: the loader names the new place instead of "unknown key"."""

from __future__ import annotations

MOVED_PARAMETERS: dict[str, str] = {
    "word_of_mouth.tell_probability_happy":
        "loyalty.levels.level1.tell_probability_happy and loyalty.levels.level2.tell_probability_happy "
        "(one chance per loyalty level)",
    "word_of_mouth.tell_probability_advocate": "loyalty.levels.level3.tell_probability_happy",
    "attrition.moved_away_per_year":
        "market.turnover_per_year (moving away is the market's turnover: everyone, customer or not, "
        "leaves at that rate and a new prospect takes their place)",
    "acquisition.advocate_conversion_multiplier":
        "loyalty.levels.level3.recommendation_weight (the same multiplier of "
        "acquisition.conversion_per_recommendation; levels 1 and 2 have theirs too)",
    # "complaint" means every voiced problem (TARP's complainers); the contact kind is renamed
    "service.complaint_priority": "service.product_problem_priority (the same switch: contacts about "
        "a disappointing product first)",
    "service.handle_by_kind.complaint_minutes": "service.handle_by_kind.product_problem_minutes (the "
        "handle time of a contact about a disappointing product)",
}
