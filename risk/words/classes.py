"""Risk classes 1 (lowest) .. 5 (highest), keyed by the class number as text."""

WORDS = {
    "5": {"vi": "Rất cao", "en": "Very high"},
    "4": {"vi": "Cao", "en": "High"},
    "3": {"vi": "Trung bình", "en": "Medium"},
    "2": {"vi": "Thấp", "en": "Low"},
    "1": {"vi": "Rất thấp", "en": "Very low"},
}
