"""ETL for union work reports and tallies: read → normalize → extract → load."""
