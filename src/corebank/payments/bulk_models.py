"""(filled in by the bulk work)"""
