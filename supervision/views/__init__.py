"""Pages of 督查督办, one module per seam: orders, instructions, inspections (with rectifications), files."""
