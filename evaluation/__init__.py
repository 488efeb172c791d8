"""评价考核: scoring schemes, periods, league tables, appeals (申诉), and the 督查通报 bulletin."""
