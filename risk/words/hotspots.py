"""Getis-Ord Gi* classes: clusters of high or low scores (permutation test, FDR q).

They describe the map of scores; no "confidence" wording, which the test cannot support
(method §4).
"""

WORDS = {
    "hot_99": {"vi": "Cụm điểm cao (q ≤ 0,01)", "en": "High-score cluster (q ≤ 0.01)"},
    "hot_95": {"vi": "Cụm điểm cao (q ≤ 0,05)", "en": "High-score cluster (q ≤ 0.05)"},
    "hot_90": {"vi": "Cụm điểm cao (q ≤ 0,10)", "en": "High-score cluster (q ≤ 0.10)"},
    "ns": {"vi": "Không thuộc cụm", "en": "Not in a cluster"},
    "cold_90": {"vi": "Cụm điểm thấp (q ≤ 0,10)", "en": "Low-score cluster (q ≤ 0.10)"},
    "cold_95": {"vi": "Cụm điểm thấp (q ≤ 0,05)", "en": "Low-score cluster (q ≤ 0.05)"},
    "cold_99": {"vi": "Cụm điểm thấp (q ≤ 0,01)", "en": "Low-score cluster (q ≤ 0.01)"},
}
