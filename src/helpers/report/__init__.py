"""Report sections: one builder per section of the kommun report."""
