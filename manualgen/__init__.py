"""manualgen: Yukon SECOR health and safety manuals, forms and annual submissions."""

__version__ = "0.1.0"
