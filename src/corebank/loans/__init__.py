"""Loans: schedules and the loan rules (the lending area is being built; see issue 4)."""
