"""Opening hours of pickup points and customer service, with the Norwegian and Swedish holidays."""

import datetime as dt

from dateutil.easter import easter
from dateutil.relativedelta import FR, relativedelta


def special_days(opening_hours):
    return {dt.date.fromisoformat(day["date"]): day for day in opening_hours["special_days"]}


def test_a_pickup_point_has_weekly_hours_and_holidays(api, conforms):
    response = api.get("/v1/pickup-points/NO-122655")
    assert response.status_code == 200
    point = response.json()
    conforms("PickupPoint", point)
    assert point["name"] == "Coop Extra Grünerløkka" and point["postcode"] == "0555" and point["country"] == "NO"
    assert point["opening_hours"]["weekly"]["mon"] == [["07:00", "23:00"]]
    assert point["opening_hours"]["weekly"]["sun"] == []
    assert point["opening_hours"]["special_days"]


def test_a_parcel_locker_is_open_on_holidays_too(api):
    locker = api.get("/v1/pickup-points/SE-790511").json()
    assert locker["opening_hours"]["special_days"] == []
    assert locker["opening_hours"]["weekly"]["sun"] == [["00:00", "23:59"]]


def test_an_unknown_pickup_point_is_not_found(api):
    response = api.get("/v1/pickup-points/NO-000000")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_norwegian_customer_service_is_closed_on_17_may_and_short_on_christmas_eve(api, conforms, today):
    response = api.get("/v1/opening-hours/customer-service", country="NO")
    assert response.status_code == 200
    service = response.json()
    conforms("CustomerService", service)
    assert service["opening_hours"]["weekly"]["mon"] == [["08:00", "20:00"]]
    assert service["opening_hours"]["weekly"]["sat"] == [["10:00", "16:00"]]
    days = special_days(service["opening_hours"])
    for year in (today.year, today.year + 1):
        assert days[dt.date(year, 5, 17)]["hours"] == []
        assert "Grunnlovsdagen" in days[dt.date(year, 5, 17)]["name"]["nb"]
        assert days[dt.date(year, 12, 24)] == {
            "date": f"{year}-12-24",
            "name": {"nb": "Julaften", "sv": "Julafton"},
            "hours": [["09:00", "12:00"]],
        }
        assert days[easter(year) - dt.timedelta(days=3)]["name"]["nb"] == "Skjærtorsdag"
        assert days[easter(year) + dt.timedelta(days=39)]["hours"] == []  # Kristi himmelfartsdag


def test_swedish_customer_service_is_closed_on_midsummer_eve(api, today):
    service = api.get("/v1/opening-hours/customer-service", country="se").json()
    assert service["country"] == "SE"
    days = special_days(service["opening_hours"])
    for year in (today.year, today.year + 1):
        midsummer_eve = dt.date(year, 6, 19) + relativedelta(weekday=FR)
        assert days[midsummer_eve]["name"] == {"nb": "Midtsommeraften", "sv": "Midsommarafton"}
        assert days[midsummer_eve]["hours"] == []
        assert days[dt.date(year, 6, 6)]["name"]["sv"] == "Sveriges nationaldag"
        assert days[dt.date(year, 1, 6)]["name"]["sv"] == "Trettondedag jul"


def test_holidays_are_listed_more_than_a_year_ahead(api, today):
    for country in ("NO", "SE"):
        days = special_days(api.get("/v1/opening-hours/customer-service", country=country).json()["opening_hours"])
        assert max(days) >= today + dt.timedelta(days=365)
        assert list(days) == sorted(days)


def test_customer_service_of_another_country_is_refused(api):
    for country in ("DK", ""):
        response = api.get("/v1/opening-hours/customer-service", country=country)
        assert response.status_code == 400 and response.json()["error"] == "invalid_country"
