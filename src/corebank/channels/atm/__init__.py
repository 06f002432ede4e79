"""The ATM/POS switch: ISO 8583 over TCP (`corebank atm serve`), and a small ATM simulator."""
