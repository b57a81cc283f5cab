"""Charts and maps (matplotlib, GeoPandas); every plot takes data and an optional ``ax``."""
