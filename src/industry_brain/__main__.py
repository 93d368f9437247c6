"""`python -m industry_brain` is the `industry-brain` command (the job workers start this way)."""

from industry_brain.cli.main import main

if __name__ == "__main__":
    main()
