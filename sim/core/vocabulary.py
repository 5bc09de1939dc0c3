"""The model's vocabulary: the causes, paths, outcomes, channels and kinds it speaks of.

The mechanisms (:mod:`sim.model`) record in these terms and the outputs (:mod:`sim.outputs`)
read in them, so they live below both, beside the recorder that declares its counters by
them. Each is a tuple of names, in a fixed order, and an index per name.
"""

from __future__ import annotations

# The six causes of attrition (docs/MODEL.md §7.9), in the sources' order of rarity.
CAUSES = (
    "died",
    "moved_away",
    "friends_influence",
    "competition",
    "product_dissatisfaction",
    "poor_service",
)
DIED, MOVED_AWAY, FRIENDS_INFLUENCE, COMPETITION, PRODUCT_DISSATISFACTION, POOR_SERVICE = range(6)

# How a problem episode ended (sim.model.episodes); the first four paths of a churn event.
OUTCOMES = ("silent", "unresolved", "resolved", "resolved_quickly")
EPISODE_SILENT, EPISODE_UNRESOLVED, EPISODE_RESOLVED, EPISODE_RESOLVED_QUICKLY = range(4)

# The path by which a churn event came about: an episode's outcome, a time-based hazard
# (died, moved away, competition, poor service), or word of mouth (a complaint heard).
PATHS = ("episode_silent", "episode_unresolved", "episode_resolved", "episode_resolved_quickly",
         "hazard", "word_of_mouth")
HAZARD, WORD_OF_MOUTH = 4, 5

# How a new customer was won (sim.model.market): advertising, a recommendation, or a former
# customer won back (whatever brought them).
CHANNELS = ("advertising", "referral", "winback")
ADVERTISING, REFERRAL, WINBACK = range(3)

# The kinds of problem an episode is about (sim.model.episodes).
PROBLEM_KINDS = ("failed_order", "disappointing_product", "failed_question")
FAILED_ORDER, DISAPPOINTING_PRODUCT, FAILED_QUESTION = range(3)

# The kinds of contact the desk answers (sim.model.desk): a question, a failed order voiced,
# a disappointing product voiced.
CONTACT_KINDS = ("question", "order_problem", "product_problem")
QUESTION, ORDER_PROBLEM, PRODUCT_PROBLEM = range(3)

# Loyalty levels (sim.model.loyalty): 1 initial customer, 2 repeat customer, 3 advocate.
LEVELS = (1, 2, 3)

# What an unhappy experience was about: it decides the churn cause it may lead to.
SERVICE, PRODUCT = POOR_SERVICE, PRODUCT_DISSATISFACTION
# How an experience was felt (sim.model.satisfaction).
HAPPY, NEUTRAL, UNHAPPY = 1, 0, -1
