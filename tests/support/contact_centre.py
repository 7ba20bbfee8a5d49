"""Demo data for the reference back-end with customer service open or closed whatever the time of the test run.

The bot asks the back-end whether customer service is open before it hands over
(actions/handoff.py), so the tests choose the answer through the data, as a
carrier would by changing its hours, instead of depending on the clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import yaml

from bot import project

DEMO_DATA = project.ROOT / "backend" / "demo_data.yml"
HOLIDAYS = project.ROOT / "backend" / "holidays.yml"
AROUND_THE_CLOCK = [["00:00", "24:00"]]
CLOSED: List[List[str]] = []


def demo_data_with_hours(directory: Path, hours: List[List[str]]) -> Path:
    """A copy of the demo data where customer service keeps `hours` every day, holidays included."""
    data = yaml.safe_load(DEMO_DATA.read_text(encoding="utf-8"))
    holidays = yaml.safe_load(HOLIDAYS.read_text(encoding="utf-8"))
    for country, service in data["customer_service"].items():
        service["weekly"] = {day: hours for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        service["holiday_hours"] = {holiday["key"]: hours for holiday in holidays.get(country, [])}
    name = "open" if hours else "closed"
    path = directory / f"demo_data_customer_service_{name}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
