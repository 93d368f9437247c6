"""Plans as data: plan packs, indicators, targets, tasks, actuals and progress."""
