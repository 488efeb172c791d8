"""地图: items by location and by core block, on an offline district map."""
