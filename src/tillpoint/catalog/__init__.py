"""Products, variants, categories, barcodes, modifiers and catalog import/export."""
