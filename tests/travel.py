"""`python -m tests.travel SECONDS ARGS…`: `hdnd ARGS…` with its clock SECONDS ahead of the real one.

Servers a test starts as subprocesses keep the clock of the run that started them when
HDND_TEST_NOW moved it (tests.conftest.hdnd_command), or tokens and times would disagree. The
offset, not a moment, is passed: however long the process takes to start, both clocks agree.
"""

import sys
from datetime import UTC, datetime, timedelta

import time_machine


def main() -> None:
    ahead = timedelta(seconds=float(sys.argv[1]))
    sys.argv = ["hdnd", *sys.argv[2:]]
    with time_machine.travel(datetime.now(UTC) + ahead, tick=True):
        datetime.now(UTC)  # the moved clock starts ticking at its first reading: now
        from api.cli import main as hdnd

        hdnd()


if __name__ == "__main__":
    main()
