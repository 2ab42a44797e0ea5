"""The few exceptions the generator raises; stages raise them, the orchestrator records, the CLI maps them."""


class BriefingError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""


class ConfigError(BriefingError):
    """The configuration file is invalid; the message names every bad key."""


class SeedError(BriefingError):
    """One seed cannot be used; raised by ingest and cleaning, recorded as a Problem, never fatal alone."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class BuildError(BriefingError):
    """The build cannot go on (strict mode, a render failure, a held lock); nothing was replaced."""

    def __init__(self, message: str, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = problems
        """The seed problems that stopped a strict build."""
