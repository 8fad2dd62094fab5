//! Shingle F1 for extraction (matches `score_extraction.py`). To be written.
