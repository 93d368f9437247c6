"""The project pool: stages, investment, milestones."""
