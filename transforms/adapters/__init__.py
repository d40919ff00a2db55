"""One adapter per platform export format: bronze rows in, unified records out."""
