"""The scenario layer's one error type (its own module, so every scenario module can raise it)."""


class ScenarioError(ValueError):
    """An invalid scenario; the message names where (file or scenario), the key and the problem."""


# Shown (in tracebacks and doctests) under the name users import it by.
ScenarioError.__module__ = "metaltrade_xl.scenarios"
