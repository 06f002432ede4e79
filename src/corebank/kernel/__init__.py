"""The kernel: money, business date, numbers, errors and events. Imports nothing of corebank."""
