"""指标 (数据应用体系): catalogue, values per period (estimate/final), targets, derived figures, computed measures."""
