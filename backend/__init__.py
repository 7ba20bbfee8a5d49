"""The reference carrier back-end: an HTTP service standing in for a postal company's systems.

The bot is developed, demonstrated and tested against it end to end, without
access to Posten/Bring or PostNord: tracking, pickup points, opening hours,
delivery bookings, address changes and complaints behave like the real thing,
on demo data that never goes stale. `backend/openapi.yaml` is its contract.
"""
