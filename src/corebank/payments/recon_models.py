"""(filled in by the recon work)"""
