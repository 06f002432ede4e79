"""(filled in by the mandate work)"""
