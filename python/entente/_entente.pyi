"""The compiled half of the package (see ``entente/__init__.py``)."""

from typing import Any, Dict, List, Optional, Sequence, Tuple

__version__: str

class InputError(ValueError):
    """Bad input; the message reads ``file:line:col: key `k`: message``."""

class EntenteError(Exception):
    """A failure that is not bad input."""

class Scenario:
    @staticmethod
    def load(path: str, text: Optional[str] = None, set: Sequence[str] = ...) -> Scenario: ...
    def with_set(self, set: Sequence[str]) -> Scenario: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def agents(self) -> List[str]: ...
    @property
    def dyads(self) -> List[str]: ...
    @property
    def outcomes(self) -> List[str]: ...
    @property
    def runs(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def overrides(self) -> List[Tuple[str, float]]: ...
    def uncertain(self) -> List[Dict[str, Any]]: ...
    def parameters_csv(self) -> str: ...
    def run(
        self,
        runs: Optional[int] = None,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        draws: Optional[int] = None,
        nominal: bool = False,
        posterior: Optional[str] = None,
        trajectories: Optional[int] = None,
    ) -> Result: ...

class Result:
    @property
    def scenario(self) -> str: ...
    @property
    def runs(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def wall_seconds(self) -> float: ...
    def table(self, name: str) -> Optional[str]: ...
    def manifest_json(self, command: str) -> str: ...
    def write(self, dir: str, command: str, force: bool = False) -> str: ...

def compare_scenarios(
    scenarios: Sequence[Scenario],
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    draws: Optional[int] = None,
    nominal: bool = False,
    posterior: Optional[str] = None,
) -> Tuple[List[Result], str, str]: ...

def run_sweep(
    path: str,
    out: str,
    threads: Optional[int] = None,
    resume: bool = False,
    force: bool = False,
) -> str: ...
