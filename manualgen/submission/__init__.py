"""The annual submission: its folder read and judged, the reviewer's PDF assembled."""
