"""Channels: one customer identity for every channel, the channel registry, limits and fees by channel, debit
cards, the ATM/POS switch (ISO 8583), points, and channel monitoring.

The counter, internet banking, mobile banking, ATM, POS, phone banking and the open API are all thin adapters over
the same services: a customer request is checked here (the channel is open, the objects are the customer's own,
the limits hold, the code is signed) and then handed to the area that does the work (payments, deposits, loans)
with an actor that names the customer and the channel.
"""

CHANNELS = ("counter", "internet", "mobile", "atm", "pos", "phone", "open_api")
E_CHANNELS = ("internet", "mobile", "open_api", "phone")
