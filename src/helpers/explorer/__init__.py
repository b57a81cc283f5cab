"""Interactive exploration (ipywidgets) on top of the report layer."""
