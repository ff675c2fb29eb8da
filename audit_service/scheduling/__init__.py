"""The scheduler: when jobs are due (``timing``), claiming each run once (``claims``),
the jobs themselves (``jobs``) and the APScheduler process that drives them (``runner``).

Only ``audit-service scheduler`` starts it; web workers never run jobs.
"""
